import type { ChargingService } from '../microgrid/app/charging';
import type { DepotModelService } from '../microgrid/app/depot-model';
import type { Db } from '../platform/db/database';
import { appendToStream, ConcurrencyError } from '../platform/events/event-store';

const SEED_STREAM = 'system-demo-depot-seed';

/**
 * The demo depot, created once per database: Demo Depot (Pacific/Auckland), scope "Grid connection"
 * on circuit "Main switchboard" (3-phase, 230 V, 160 A per phase), twelve 32 A three-phase chargers
 * and two 32 A single-phase chargers on L1 and L2, seven of them charging.
 * The seed marker is an event, so deleting the demo does not bring it back on the next start.
 */
export async function seedDemoDepot(
  db: Db,
  services: { model: DepotModelService; charging: ChargingService },
  now: Date,
): Promise<{ seeded: boolean; circuitId?: string; scopeId?: string; microgridId?: string }> {
  try {
    await appendToStream(
      db,
      SEED_STREAM,
      0,
      [{ type: 'DemoDepotSeeded', data: { at: now.toISOString() } }],
      now,
    );
  } catch (error) {
    if (error instanceof ConcurrencyError) return { seeded: false };
    throw error;
  }
  const microgrid = await services.model.createMicrogrid(
    { name: 'Demo Depot', timezone: 'Pacific/Auckland' },
    now,
  );
  const circuitId = await services.model.createCircuit(
    microgrid.id,
    { name: 'Main switchboard', phaseCount: 3, nominalVoltageV: 230, staticCapacityA: 160 },
    now,
  );
  const scopeId = await services.model.createScope(
    microgrid.id,
    { name: 'Grid connection', circuitIds: [circuitId] },
    now,
  );
  const chargers: string[] = [];
  for (let n = 1; n <= 12; n += 1) {
    const name = `Bay ${String(n).padStart(2, '0')}`;
    chargers.push(
      await services.model.createCharger(
        circuitId,
        { name, phases: ['L1', 'L2', 'L3'], minCurrentA: 6, maxCurrentA: 32, priority: 0 },
        now,
      ),
    );
  }
  chargers.push(
    await services.model.createCharger(
      circuitId,
      { name: 'Workshop L1', phases: ['L1'], minCurrentA: 6, maxCurrentA: 32, priority: 0 },
      now,
    ),
    await services.model.createCharger(
      circuitId,
      { name: 'Workshop L2', phases: ['L2'], minCurrentA: 6, maxCurrentA: 32, priority: 0 },
      now,
    ),
  );
  const charging: { index: number; label: string; vehicleMaxCurrentA?: number }[] = [
    { index: 0, label: 'Bus 101' },
    { index: 1, label: 'Bus 102' },
    { index: 2, label: 'Van 7', vehicleMaxCurrentA: 16 },
    { index: 3, label: 'Bus 104' },
    { index: 4, label: 'Bus 105' },
    { index: 12, label: 'Ute 3' },
    { index: 13, label: 'Ute 4' },
  ];
  for (const c of charging) {
    await services.charging.startSession(
      chargers[c.index]!,
      { vehicleLabel: c.label, vehicleMaxCurrentA: c.vehicleMaxCurrentA },
      now,
    );
  }
  return { seeded: true, circuitId, scopeId, microgridId: microgrid.id };
}
