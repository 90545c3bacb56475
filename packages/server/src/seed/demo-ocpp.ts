import type { SimulatedChargerSpec } from '@openvelope/sim';
import type { App } from '../app';
import { DEMO_MICROGRID_NAME, DEMO_VEHICLES } from './demo-depot';

/** The demo chargers' OCPP ids: "Bay 01" is DEMO-BAY-01. */
export function demoChargePointId(chargerName: string): string {
  return `DEMO-${chargerName.toUpperCase().replace(/[^A-Z0-9]+/g, '-')}`;
}

/**
 * Gives every charger of the demo depot its OCPP identity (once) and a fresh password (each start:
 * only hashes are stored, and the simulated charge points need the password), and returns what the
 * OCPP depot simulator needs to act as those chargers. Empty when the demo depot is gone.
 */
export async function provisionDemoChargePoints(app: App): Promise<SimulatedChargerSpec[]> {
  const demo = (await app.microgrid.queries.listMicrogrids()).find(
    (m) => m.name === DEMO_MICROGRID_NAME,
  );
  if (!demo) return [];
  const specs: SimulatedChargerSpec[] = [];
  for (const summary of demo.circuits) {
    const circuit = await app.microgrid.queries.circuitDetail(summary.id);
    for (const charger of circuit.chargers) {
      const existing = await app.ocpp.chargePoints.ofCharger(charger.id);
      const chargePointId = existing?.chargePointId ?? demoChargePointId(charger.name);
      if (!existing) {
        await app.ocpp.chargePoints.assign(
          charger.id,
          { chargePointId, connectorIds: [1] },
          'demo',
        );
      }
      const { password } = await app.ocpp.chargePoints.rotatePassword(charger.id, 'demo');
      const vehicle = DEMO_VEHICLES.find((v) => v.charger === charger.name);
      specs.push({
        chargePointId,
        password,
        phases: charger.phases.length === 1 ? 1 : 3,
        maxCurrentA: charger.maxCurrentA,
        ...(vehicle
          ? {
              vehicle: {
                label: vehicle.label,
                ...(vehicle.vehicleMaxCurrentA ? { maxCurrentA: vehicle.vehicleMaxCurrentA } : {}),
              },
            }
          : {}),
      });
    }
  }
  return specs;
}
