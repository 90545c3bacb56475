import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database';
import type { EnvelopeOrigin, PowerLimit, PowerUnit } from '../domain/capacity';
import type { EnvelopeStatus } from '../domain/envelope';

export interface EnvelopeBlockRow {
  index: number;
  startsAt: Date;
  endsAt: Date;
  importLimit: PowerLimit;
}

export type EnvelopeRole = 'LIMIT' | 'STANDBY';

export interface EnvelopeRow {
  id: string;
  role: EnvelopeRole;
  scopeId: string;
  circuitId: string;
  source: string;
  origin: EnvelopeOrigin;
  status: EnvelopeStatus;
  startsAt: Date;
  endsAt: Date;
  submittedAt: Date;
  submittedBy: string | null;
  withdrawnAt: Date | null;
  withdrawnBy: string | null;
  blocks: EnvelopeBlockRow[];
}

/** The envelope and its blocks in one statement, the blocks as one JSON parameter. */
export async function insertEnvelope(db: Executor, e: EnvelopeRow): Promise<void> {
  const blocks = JSON.stringify(
    e.blocks.map((b) => ({
      idx: b.index,
      starts_at: b.startsAt.toISOString(),
      ends_at: b.endsAt.toISOString(),
      import_limit_value: b.importLimit.value,
      import_limit_unit: b.importLimit.unit,
    })),
  );
  await sql`
    WITH envelope AS (
      INSERT INTO envelopes (id, scope_id, circuit_id, role, source, origin, status, starts_at,
        ends_at, submitted_at, submitted_by)
      VALUES (${e.id}, ${e.scopeId}, ${e.circuitId}, ${e.role}, ${e.source},
        ${JSON.stringify(e.origin)}::jsonb, ${e.status}, ${e.startsAt}, ${e.endsAt},
        ${e.submittedAt}, ${e.submittedBy})
    )
    INSERT INTO envelope_blocks (envelope_id, idx, starts_at, ends_at, import_limit_value,
      import_limit_unit)
    SELECT ${e.id}, b.idx, b.starts_at, b.ends_at, b.import_limit_value, b.import_limit_unit
    FROM jsonb_to_recordset(${blocks}::jsonb) AS b (
      idx integer, starts_at timestamptz, ends_at timestamptz, import_limit_value double precision,
      import_limit_unit text
    )`.execute(db);
}

export async function setEnvelopeStatus(
  db: Executor,
  ids: string | readonly string[],
  status: EnvelopeStatus,
  withdrawn?: { at: Date; by: string },
): Promise<void> {
  const list = typeof ids === 'string' ? [ids] : ids;
  if (list.length === 0) return;
  await db
    .updateTable('envelopes')
    .set({
      status,
      ...(withdrawn ? { withdrawn_at: withdrawn.at, withdrawn_by: withdrawn.by } : {}),
    })
    .where('id', 'in', list)
    .execute();
}

/** Where a page of envelopes starts: just after this one in newest-first order. */
export interface EnvelopeCursor {
  submittedAt: Date;
  id: string;
}

type Filter = {
  circuitId?: string;
  scopeId?: string;
  ids?: string[];
  openOnly: boolean;
  after?: EnvelopeCursor;
  limit?: number;
};

/** Envelopes with their blocks; `openOnly` = SCHEDULED or ACTIVE. Newest first, optionally a page. */
export async function findEnvelopes(db: Executor, filter: Filter): Promise<EnvelopeRow[]> {
  let q = db
    .selectFrom('envelopes')
    .selectAll()
    .orderBy('submitted_at', 'desc')
    .orderBy('id', 'desc');
  if (filter.after) {
    const { submittedAt, id } = filter.after;
    q = q.where((eb) =>
      eb.or([
        eb('submitted_at', '<', submittedAt),
        eb.and([eb('submitted_at', '=', submittedAt), eb('id', '<', id)]),
      ]),
    );
  }
  if (filter.limit !== undefined) q = q.limit(filter.limit);
  if (filter.circuitId) q = q.where('circuit_id', '=', filter.circuitId);
  if (filter.scopeId) q = q.where('scope_id', '=', filter.scopeId);
  if (filter.ids)
    q = q.where(
      'id',
      'in',
      filter.ids.length ? filter.ids : ['00000000-0000-0000-0000-000000000000'],
    );
  if (filter.openOnly) q = q.where('status', 'in', ['SCHEDULED', 'ACTIVE']);
  const envelopes = await q.execute();
  if (envelopes.length === 0) return [];
  const blocks = await db
    .selectFrom('envelope_blocks')
    .selectAll()
    .where(
      'envelope_id',
      'in',
      envelopes.map((e) => e.id),
    )
    .orderBy('envelope_id')
    .orderBy('starts_at')
    .execute();
  const byEnvelope = new Map<string, EnvelopeBlockRow[]>();
  for (const b of blocks) {
    const list = byEnvelope.get(b.envelope_id) ?? [];
    list.push({
      index: b.idx,
      startsAt: b.starts_at,
      endsAt: b.ends_at,
      importLimit: { value: b.import_limit_value, unit: b.import_limit_unit as PowerUnit },
    });
    byEnvelope.set(b.envelope_id, list);
  }
  return envelopes.map((e) => ({ ...toEnvelope(e), blocks: byEnvelope.get(e.id) ?? [] }));
}

type EnvelopeDbRow = {
  id: string;
  role: string;
  scope_id: string;
  circuit_id: string;
  source: string;
  origin: unknown;
  status: string;
  starts_at: Date;
  ends_at: Date;
  submitted_at: Date;
  submitted_by: string | null;
  withdrawn_at: Date | null;
  withdrawn_by: string | null;
};

function toEnvelope(e: EnvelopeDbRow): Omit<EnvelopeRow, 'blocks'> {
  return {
    id: e.id,
    role: e.role as EnvelopeRole,
    scopeId: e.scope_id,
    circuitId: e.circuit_id,
    source: e.source,
    origin: e.origin as EnvelopeOrigin,
    status: e.status as EnvelopeStatus,
    startsAt: e.starts_at,
    endsAt: e.ends_at,
    submittedAt: e.submitted_at,
    submittedBy: e.submitted_by,
    withdrawnAt: e.withdrawn_at,
    withdrawnBy: e.withdrawn_by,
  };
}

/**
 * Withdraws those of `ids` that are still open (SCHEDULED or ACTIVE) on one of `lockedCircuits`
 * and returns them: one statement, so a change of envelopes reads and closes its predecessors in
 * one round trip. The caller holds those circuits' locks, so no status changes in between, and an
 * envelope on a circuit it did not lock is left alone.
 */
export async function withdrawOpenEnvelopes(
  db: Executor,
  ids: readonly string[],
  lockedCircuits: readonly string[],
  withdrawn: { at: Date; by: string },
): Promise<{ id: string; circuitId: string }[]> {
  if (ids.length === 0 || lockedCircuits.length === 0) return [];
  const rows = await db
    .updateTable('envelopes')
    .set({ status: 'WITHDRAWN', withdrawn_at: withdrawn.at, withdrawn_by: withdrawn.by })
    .where('id', 'in', ids)
    .where('circuit_id', 'in', lockedCircuits)
    .where('status', 'in', ['SCHEDULED', 'ACTIVE'])
    .returning(['id', 'circuit_id'])
    .execute();
  return rows.map((r) => ({ id: r.id, circuitId: r.circuit_id }));
}

/** A scope's open (SCHEDULED or ACTIVE) envelopes, without their blocks. */
export async function openEnvelopeHeadsOfScope(
  db: Executor,
  scopeId: string,
): Promise<Omit<EnvelopeRow, 'blocks'>[]> {
  const rows = await db
    .selectFrom('envelopes')
    .selectAll()
    .where('scope_id', '=', scopeId)
    .where('status', 'in', ['SCHEDULED', 'ACTIVE'])
    .orderBy('submitted_at')
    .execute();
  return rows.map(toEnvelope);
}

/** An open envelope as a circuit refresh needs it at an instant: not all of its blocks. */
export interface OpenEnvelopeAt {
  envelope: Omit<EnvelopeRow, 'blocks'>;
  /** The block in force at the instant (start inclusive, end exclusive), if any. */
  inForce: EnvelopeBlockRow | undefined;
  /** The next instant after it where one of the envelope's blocks starts or ends. */
  nextBoundary: Date | undefined;
}

/**
 * The circuit's open (SCHEDULED or ACTIVE) envelopes at `now`, newest first, each with its block
 * in force and its next boundary worked out by the database: one row per envelope, however many
 * blocks it has (a day-ahead forecast has 96).
 */
export async function openEnvelopesAt(
  db: Executor,
  circuitId: string,
  now: Date,
): Promise<OpenEnvelopeAt[]> {
  const result = await sql<
    EnvelopeDbRow & {
      block_idx: number | null;
      block_starts_at: Date | null;
      block_ends_at: Date | null;
      block_limit_value: number | null;
      block_limit_unit: string | null;
      next_boundary: Date | null;
    }
  >`
    SELECT e.*, b.idx AS block_idx, b.starts_at AS block_starts_at, b.ends_at AS block_ends_at,
      b.import_limit_value AS block_limit_value, b.import_limit_unit AS block_limit_unit,
      (SELECT least(min(x.starts_at) FILTER (WHERE x.starts_at > ${now}),
                    min(x.ends_at) FILTER (WHERE x.ends_at > ${now}))
       FROM envelope_blocks x WHERE x.envelope_id = e.id) AS next_boundary
    FROM envelopes e
    LEFT JOIN LATERAL (
      SELECT * FROM envelope_blocks y
      WHERE y.envelope_id = e.id AND y.starts_at <= ${now} AND y.ends_at > ${now}
      ORDER BY y.starts_at LIMIT 1
    ) b ON true
    WHERE e.circuit_id = ${circuitId} AND e.status IN ('SCHEDULED', 'ACTIVE')
    ORDER BY e.submitted_at DESC, e.id`.execute(db);
  return result.rows.map((r) => ({
    envelope: toEnvelope(r),
    inForce:
      r.block_idx === null
        ? undefined
        : {
            index: r.block_idx,
            startsAt: r.block_starts_at!,
            endsAt: r.block_ends_at!,
            importLimit: { value: r.block_limit_value!, unit: r.block_limit_unit as PowerUnit },
          },
    nextBoundary: r.next_boundary ?? undefined,
  }));
}

export async function insertCapacityHistory(
  db: Executor,
  row: {
    circuitId: string;
    at: Date;
    staticCapacityA: number;
    effectiveCapacityA: number;
    source: Record<string, unknown>;
  },
): Promise<void> {
  await db
    .insertInto('capacity_history')
    .values({
      circuit_id: row.circuitId,
      at: row.at,
      static_capacity_a: row.staticCapacityA,
      effective_capacity_a: row.effectiveCapacityA,
      source: JSON.stringify(row.source) as never,
    })
    .execute();
}

/** History points in a window, plus the last point before it so the chart starts at the right level. */
/**
 * Deletes up to `limit` finished (expired or withdrawn) envelopes, with their blocks, that ended
 * or were withdrawn before `before`; returns how many went. Their events stay.
 */
export async function pruneFinishedEnvelopes(
  db: Executor,
  before: Date,
  limit: number,
): Promise<number> {
  const result = await sql`
    DELETE FROM envelopes WHERE id IN (
      SELECT id FROM envelopes
      WHERE status IN ('EXPIRED', 'WITHDRAWN') AND ends_at < ${before}
        AND (withdrawn_at IS NULL OR withdrawn_at < ${before})
      LIMIT ${limit}
    )`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Deletes up to `limit` capacity history points older than `before`, keeping each circuit's newest
 * one of them: it says what was in force when the kept history begins.
 */
export async function pruneCapacityHistory(
  db: Executor,
  before: Date,
  limit: number,
): Promise<number> {
  const result = await sql`
    DELETE FROM capacity_history WHERE id IN (
      SELECT h.id FROM capacity_history h
      WHERE h.at < ${before} AND EXISTS (
        SELECT 1 FROM capacity_history n
        WHERE n.circuit_id = h.circuit_id AND n.at < ${before} AND (n.at, n.id) > (h.at, h.id)
      )
      LIMIT ${limit}
    )`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

export async function capacityHistory(db: Executor, circuitId: string, from: Date, to: Date) {
  const before = await db
    .selectFrom('capacity_history')
    .selectAll()
    .where('circuit_id', '=', circuitId)
    .where('at', '<', from)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .execute();
  const within = await db
    .selectFrom('capacity_history')
    .selectAll()
    .where('circuit_id', '=', circuitId)
    .where('at', '>=', from)
    .where('at', '<=', to)
    .orderBy('at')
    .orderBy('id')
    .execute();
  return [...before, ...within];
}
