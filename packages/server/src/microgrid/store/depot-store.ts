import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database';
import type { CapacitySource } from '../domain/capacity';
import type { Phase } from '../domain/phases';

export interface MicrogridRow {
  id: string;
  name: string;
  timezone: string;
}

export interface CircuitRow {
  id: string;
  microgridId: string;
  name: string;
  phaseCount: 1 | 3;
  nominalVoltageV: number;
  staticCapacityA: number;
  effectiveCapacityA: number;
  capacitySource: CapacitySource;
  capacityUpdatedAt: Date;
}

export interface ScopeRow {
  id: string;
  microgridId: string;
  name: string;
  circuitIds: string[];
}

export interface ChargerRow {
  id: string;
  circuitId: string;
  name: string;
  phases: Phase[];
  minCurrentA: number;
  maxCurrentA: number;
  priority: number;
}

type CircuitDbRow = {
  id: string;
  microgrid_id: string;
  name: string;
  phase_count: number;
  nominal_voltage_v: number;
  static_capacity_a: number;
  effective_capacity_a: number;
  capacity_source: Record<string, unknown>;
  capacity_updated_at: Date;
};

function toCircuit(r: CircuitDbRow): CircuitRow {
  return {
    id: r.id,
    microgridId: r.microgrid_id,
    name: r.name,
    phaseCount: r.phase_count === 1 ? 1 : 3,
    nominalVoltageV: r.nominal_voltage_v,
    staticCapacityA: r.static_capacity_a,
    effectiveCapacityA: r.effective_capacity_a,
    capacitySource: r.capacity_source as CapacitySource,
    capacityUpdatedAt: r.capacity_updated_at,
  };
}

type ChargerDbRow = {
  id: string;
  circuit_id: string;
  name: string;
  phases: string[];
  min_current_a: number;
  max_current_a: number;
  priority: number;
};

function toCharger(r: ChargerDbRow): ChargerRow {
  return {
    id: r.id,
    circuitId: r.circuit_id,
    name: r.name,
    phases: r.phases as Phase[],
    minCurrentA: r.min_current_a,
    maxCurrentA: r.max_current_a,
    priority: r.priority,
  };
}

const circuitColumns = [
  'id',
  'microgrid_id',
  'name',
  'phase_count',
  'nominal_voltage_v',
  'static_capacity_a',
  'effective_capacity_a',
  'capacity_source',
  'capacity_updated_at',
] as const;
const chargerColumns = [
  'id',
  'circuit_id',
  'name',
  'phases',
  'min_current_a',
  'max_current_a',
  'priority',
] as const;

// Microgrids

export async function listMicrogrids(db: Executor): Promise<MicrogridRow[]> {
  return db.selectFrom('microgrids').select(['id', 'name', 'timezone']).orderBy('name').execute();
}

export async function findMicrogrid(db: Executor, id: string): Promise<MicrogridRow | undefined> {
  return db
    .selectFrom('microgrids')
    .select(['id', 'name', 'timezone'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function insertMicrogrid(db: Executor, m: MicrogridRow, now: Date): Promise<void> {
  await db
    .insertInto('microgrids')
    .values({ ...m, created_at: now })
    .execute();
}

export async function updateMicrogrid(
  db: Executor,
  id: string,
  patch: Partial<Omit<MicrogridRow, 'id'>>,
): Promise<void> {
  const set = {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.timezone !== undefined ? { timezone: patch.timezone } : {}),
  };
  // An empty SET is not SQL: an empty patch changes nothing.
  if (Object.keys(set).length > 0)
    await db.updateTable('microgrids').set(set).where('id', '=', id).execute();
}

export async function deleteMicrogrid(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('microgrids').where('id', '=', id).execute();
}

// Circuits

export async function listCircuits(db: Executor, microgridId?: string): Promise<CircuitRow[]> {
  let q = db.selectFrom('circuits').select(circuitColumns).orderBy('name');
  if (microgridId) q = q.where('microgrid_id', '=', microgridId);
  return (await q.execute()).map(toCircuit);
}

export async function findCircuit(
  db: Executor,
  id: string,
  lock = false,
): Promise<CircuitRow | undefined> {
  let q = db.selectFrom('circuits').select(circuitColumns).where('id', '=', id);
  if (lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row && toCircuit(row);
}

export async function insertCircuit(
  db: Executor,
  c: Omit<CircuitRow, 'effectiveCapacityA' | 'capacitySource' | 'capacityUpdatedAt'>,
  now: Date,
): Promise<void> {
  await db
    .insertInto('circuits')
    .values({
      id: c.id,
      microgrid_id: c.microgridId,
      name: c.name,
      phase_count: c.phaseCount,
      nominal_voltage_v: c.nominalVoltageV,
      static_capacity_a: c.staticCapacityA,
      effective_capacity_a: c.staticCapacityA,
      capacity_source: JSON.stringify({ kind: 'STATIC' }) as never,
      capacity_updated_at: now,
      created_at: now,
    })
    .execute();
}

export async function updateCircuitDefinition(
  db: Executor,
  id: string,
  patch: { name?: string; nominalVoltageV?: number; staticCapacityA?: number },
): Promise<void> {
  const set = {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.nominalVoltageV !== undefined ? { nominal_voltage_v: patch.nominalVoltageV } : {}),
    ...(patch.staticCapacityA !== undefined ? { static_capacity_a: patch.staticCapacityA } : {}),
  };
  if (Object.keys(set).length > 0)
    await db.updateTable('circuits').set(set).where('id', '=', id).execute();
}

/** The circuit's new effective capacity and its history point, in one statement. */
export async function updateCircuitCapacity(
  db: Executor,
  circuit: Pick<CircuitRow, 'id' | 'staticCapacityA'>,
  capacity: { effectiveCapacityA: number; source: CapacitySource; at: Date },
): Promise<void> {
  const source = JSON.stringify(capacity.source) as never;
  await db
    .with('history', (q) =>
      q.insertInto('capacity_history').values({
        circuit_id: circuit.id,
        at: capacity.at,
        static_capacity_a: circuit.staticCapacityA,
        effective_capacity_a: capacity.effectiveCapacityA,
        source,
      }),
    )
    .updateTable('circuits')
    .set({
      effective_capacity_a: capacity.effectiveCapacityA,
      capacity_source: source,
      capacity_updated_at: capacity.at,
    })
    .where('id', '=', circuit.id)
    .execute();
}

/**
 * Locks circuits for a change of their capacity, envelopes or allocations. Every such change takes
 * its circuits' locks first, in id order, so two changes never wait on each other in a cycle.
 * `ofEnvelopes` adds the circuits those envelopes constrain (unknown ids add none), found by the
 * same statement.
 */
export async function lockCircuits(
  db: Executor,
  ids: readonly string[],
  ofEnvelopes: readonly string[] = [],
): Promise<CircuitRow[]> {
  if (ids.length === 0 && ofEnvelopes.length === 0) return [];
  const rows = await db
    .selectFrom('circuits')
    .select(circuitColumns)
    .where((eb) =>
      eb.or([
        ...(ids.length > 0 ? [eb('id', 'in', ids)] : []),
        ...(ofEnvelopes.length > 0
          ? [
              eb(
                'id',
                'in',
                eb.selectFrom('envelopes').select('circuit_id').where('id', 'in', ofEnvelopes),
              ),
            ]
          : []),
      ]),
    )
    .orderBy('id')
    .forUpdate()
    .execute();
  return rows.map(toCircuit);
}

export async function deleteCircuit(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('circuits').where('id', '=', id).execute();
}

// Managed scopes

export async function listScopes(db: Executor, microgridId?: string): Promise<ScopeRow[]> {
  let q = db
    .selectFrom('managed_scopes as s')
    .leftJoin('scope_circuits as sc', 'sc.scope_id', 's.id')
    .select(['s.id', 's.microgrid_id', 's.name', 'sc.circuit_id'])
    .orderBy('s.name')
    .orderBy('sc.circuit_id');
  if (microgridId) q = q.where('s.microgrid_id', '=', microgridId);
  const rows = await q.execute();
  const scopes = new Map<string, ScopeRow>();
  for (const r of rows) {
    const scope = scopes.get(r.id) ?? {
      id: r.id,
      microgridId: r.microgrid_id,
      name: r.name,
      circuitIds: [],
    };
    if (r.circuit_id) scope.circuitIds.push(r.circuit_id);
    scopes.set(r.id, scope);
  }
  return [...scopes.values()];
}

export async function findScope(db: Executor, id: string): Promise<ScopeRow | undefined> {
  const scope = await db
    .selectFrom('managed_scopes as s')
    .select(['s.id', 's.microgrid_id', 's.name'])
    .select(
      sql<
        string[]
      >`coalesce((SELECT array_agg(sc.circuit_id::text ORDER BY sc.circuit_id) FROM scope_circuits sc WHERE sc.scope_id = s.id), '{}')`.as(
        'circuit_ids',
      ),
    )
    .where('s.id', '=', id)
    .executeTakeFirst();
  if (!scope) return undefined;
  return {
    id: scope.id,
    microgridId: scope.microgrid_id,
    name: scope.name,
    circuitIds: scope.circuit_ids,
  };
}

export async function insertScope(db: Executor, s: ScopeRow, now: Date): Promise<void> {
  await db
    .insertInto('managed_scopes')
    .values({ id: s.id, microgrid_id: s.microgridId, name: s.name, created_at: now })
    .execute();
  await setScopeCircuits(db, s.id, s.circuitIds);
}

export async function renameScope(db: Executor, id: string, name: string): Promise<void> {
  await db.updateTable('managed_scopes').set({ name }).where('id', '=', id).execute();
}

export async function setScopeCircuits(
  db: Executor,
  scopeId: string,
  circuitIds: readonly string[],
): Promise<void> {
  await db.deleteFrom('scope_circuits').where('scope_id', '=', scopeId).execute();
  if (circuitIds.length > 0) {
    await db
      .insertInto('scope_circuits')
      .values(circuitIds.map((circuit_id) => ({ scope_id: scopeId, circuit_id })))
      .execute();
  }
}

export async function deleteScope(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('managed_scopes').where('id', '=', id).execute();
}

export async function scopesOfCircuit(
  db: Executor,
  circuitId: string,
): Promise<{ id: string; name: string }[]> {
  return db
    .selectFrom('managed_scopes as s')
    .innerJoin('scope_circuits as sc', 'sc.scope_id', 's.id')
    .select(['s.id', 's.name'])
    .where('sc.circuit_id', '=', circuitId)
    .orderBy('s.name')
    .execute();
}

// Chargers

export async function listChargers(db: Executor, circuitId: string): Promise<ChargerRow[]> {
  const rows = await db
    .selectFrom('chargers')
    .select(chargerColumns)
    .where('circuit_id', '=', circuitId)
    .orderBy('name')
    .execute();
  return rows.map(toCharger);
}

export async function findCharger(db: Executor, id: string): Promise<ChargerRow | undefined> {
  const row = await db
    .selectFrom('chargers')
    .select(chargerColumns)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toCharger(row);
}

/** Which of these charger ids exist. */
export async function existingChargerIds(
  db: Executor,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('chargers').select('id').where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

export async function insertCharger(db: Executor, c: ChargerRow, now: Date): Promise<void> {
  await db
    .insertInto('chargers')
    .values({
      id: c.id,
      circuit_id: c.circuitId,
      name: c.name,
      phases: c.phases,
      min_current_a: c.minCurrentA,
      max_current_a: c.maxCurrentA,
      priority: c.priority,
      created_at: now,
    })
    .execute();
}

export async function updateCharger(
  db: Executor,
  id: string,
  patch: { name?: string; minCurrentA?: number; maxCurrentA?: number; priority?: number },
): Promise<void> {
  const set = {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.minCurrentA !== undefined ? { min_current_a: patch.minCurrentA } : {}),
    ...(patch.maxCurrentA !== undefined ? { max_current_a: patch.maxCurrentA } : {}),
    ...(patch.priority !== undefined ? { priority: patch.priority } : {}),
  };
  if (Object.keys(set).length > 0)
    await db.updateTable('chargers').set(set).where('id', '=', id).execute();
}

export async function deleteCharger(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('chargers').where('id', '=', id).execute();
}

/** Counts per circuit for the microgrid cards, in one query. */
export async function chargerCounts(
  db: Executor,
): Promise<Map<string, { chargers: number; sessions: number }>> {
  const rows = await db
    .selectFrom('chargers as c')
    .leftJoin('charging_sessions as s', (join) =>
      join.onRef('s.charger_id', '=', 'c.id').on('s.ended_at', 'is', null),
    )
    .select((eb) => [
      'c.circuit_id',
      eb.fn.count<number>('c.id').distinct().as('chargers'),
      eb.fn.count<number>('s.id').as('sessions'),
    ])
    .groupBy('c.circuit_id')
    .execute();
  return new Map(
    rows.map((r) => [r.circuit_id, { chargers: Number(r.chargers), sessions: Number(r.sessions) }]),
  );
}
