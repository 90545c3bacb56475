import type { ChargingService } from '../microgrid/app/charging';
import type { BreachService } from '../microgrid/app/breaches';
import type { DepotModelService } from '../microgrid/app/depot-model';
import { DEFAULT_BREACH_SETTINGS } from '../microgrid/domain/breach';
import type { Db } from '../platform/db/database';
import { appendToStream, ConcurrencyError } from '../platform/events/event-store';

const SEED_STREAM = 'system-demo-depot-seed';

export const DEMO_MICROGRID_NAME = 'Demo Depot';

/** The vehicles charging when the demo starts, by charger name. */
export const DEMO_VEHICLES: readonly {
  charger: string;
  label: string;
  vehicleMaxCurrentA?: number;
}[] = [
  { charger: 'Bay 01', label: 'Bus 101' },
  { charger: 'Bay 02', label: 'Bus 102' },
  { charger: 'Bay 03', label: 'Van 7', vehicleMaxCurrentA: 16 },
  { charger: 'Bay 04', label: 'Bus 104' },
  { charger: 'Bay 05', label: 'Bus 105' },
  { charger: 'Workshop L1', label: 'Ute 3' },
  { charger: 'Workshop L2', label: 'Ute 4' },
];

/**
 * The demo depot, created once per database: Demo Depot (Pacific/Auckland), scope "Grid connection"
 * on circuit "Main switchboard" (3-phase, 230 V, 160 A per phase), twelve 32 A three-phase chargers
 * and two 32 A single-phase chargers on L1 and L2, seven of them charging.
 * The seed marker is an event, so deleting the demo does not bring it back on the next start.
 * With `startSessions: false` the chargers are left idle: the OCPP depot simulator plugs the
 * demo vehicles in itself, as real chargers would start their transactions.
 */
export async function seedDemoDepot(
  db: Db,
  services: { model: DepotModelService; charging: ChargingService; breaches: BreachService },
  now: Date,
  options: {
    startSessions?: boolean;
    /** A shorter breach hold time than the default, so a demo breach shows within a minute. */
    breachHoldSeconds?: number;
  } = {},
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
    { name: DEMO_MICROGRID_NAME, timezone: 'Pacific/Auckland' },
    now,
  );
  const circuitId = await services.model.createCircuit(
    microgrid.id,
    { name: 'Main switchboard', phaseCount: 3, nominalVoltageV: 230, staticCapacityA: 160 },
    now,
  );
  if (options.breachHoldSeconds !== undefined) {
    await services.breaches.updateSettings(
      circuitId,
      { ...DEFAULT_BREACH_SETTINGS, holdSeconds: options.breachHoldSeconds },
      now,
    );
  }
  const scopeId = await services.model.createScope(
    microgrid.id,
    { name: 'Grid connection', circuitIds: [circuitId] },
    now,
  );
  const chargers = new Map<string, string>();
  for (let n = 1; n <= 12; n += 1) {
    const name = `Bay ${String(n).padStart(2, '0')}`;
    chargers.set(
      name,
      await services.model.createCharger(
        circuitId,
        { name, phases: ['L1', 'L2', 'L3'], minCurrentA: 6, maxCurrentA: 32, priority: 0 },
        now,
      ),
    );
  }
  for (const phase of ['L1', 'L2'] as const) {
    const name = `Workshop ${phase}`;
    chargers.set(
      name,
      await services.model.createCharger(
        circuitId,
        { name, phases: [phase], minCurrentA: 6, maxCurrentA: 32, priority: 0 },
        now,
      ),
    );
  }
  if (options.startSessions !== false) {
    for (const v of DEMO_VEHICLES) {
      await services.charging.startSession(
        chargers.get(v.charger)!,
        { vehicleLabel: v.label, vehicleMaxCurrentA: v.vehicleMaxCurrentA },
        now,
      );
    }
  }
  return { seeded: true, circuitId, scopeId, microgridId: microgrid.id };
}
