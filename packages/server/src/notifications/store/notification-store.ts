import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database';

export type Severity = 'INFO' | 'WARNING' | 'ALARM';

export interface NotificationRow {
  id: string;
  kind: string;
  severity: Severity;
  title: string;
  message: string;
  context: Record<string, unknown>;
  createdAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}

export interface IncidentRow {
  id: string;
  kind: string;
  status: 'OPEN' | 'RESOLVED';
  title: string;
  context: Record<string, unknown>;
  openedAt: string;
  resolvedAt: string | null;
  resolution: string | null;
}

export async function insertNotification(
  db: Executor,
  n: {
    kind: string;
    severity: Severity;
    title: string;
    message: string;
    context: Record<string, unknown>;
  },
  now: Date,
): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('notifications')
    .values({ id, ...n, context: JSON.stringify(n.context) as never, created_at: now })
    .execute();
  return id;
}

export async function acknowledgeNotification(
  db: Executor,
  id: string,
  by: string,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('notifications')
    .set({ acknowledged_at: now, acknowledged_by: by })
    .where('id', '=', id)
    .where('acknowledged_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function listNotifications(
  db: Executor,
  filter: { unacknowledgedOnly: boolean; limit: number; offset: number },
): Promise<{ items: NotificationRow[]; total: number; unacknowledged: number }> {
  let q = db.selectFrom('notifications');
  if (filter.unacknowledgedOnly) q = q.where('acknowledged_at', 'is', null);
  const rows = await q
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
  const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const open = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('acknowledged_at', 'is', null)
    .executeTakeFirstOrThrow();
  return {
    total: Number(total.n),
    unacknowledged: Number(open.n),
    items: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      severity: r.severity as Severity,
      title: r.title,
      message: r.message,
      context: r.context,
      createdAt: r.created_at.toISOString(),
      acknowledgedAt: r.acknowledged_at?.toISOString() ?? null,
      acknowledgedBy: r.acknowledged_by,
    })),
  };
}

export async function openIncident(
  db: Executor,
  i: { id?: string; kind: string; title: string; context: Record<string, unknown> },
  now: Date,
): Promise<string> {
  const id = i.id ?? randomUUID();
  await db
    .insertInto('incidents')
    .values({
      id,
      kind: i.kind,
      status: 'OPEN',
      title: i.title,
      context: JSON.stringify(i.context) as never,
      opened_at: now,
    })
    .execute();
  return id;
}

/**
 * Records how an open incident's condition changed: its context's `mode` and `reason` become the
 * new ones and the change is appended to its `history`.
 */
export async function updateIncident(
  db: Executor,
  id: string,
  change: { mode: string; reason: string; at: string },
): Promise<void> {
  const patch = JSON.stringify({ mode: change.mode, reason: change.reason });
  const entry = JSON.stringify([change]);
  await sql`
    UPDATE incidents
    SET context = context || ${patch}::jsonb
      || jsonb_build_object('history', coalesce(context->'history', '[]'::jsonb) || ${entry}::jsonb)
    WHERE id = ${id} AND status = 'OPEN'`.execute(db);
}

export async function resolveIncident(
  db: Executor,
  id: string,
  resolution: string,
  now: Date,
): Promise<void> {
  await db
    .updateTable('incidents')
    .set({ status: 'RESOLVED', resolved_at: now, resolution })
    .where('id', '=', id)
    .where('status', '=', 'OPEN')
    .execute();
}

export async function listIncidents(
  db: Executor,
  filter: { status?: 'OPEN' | 'RESOLVED'; limit: number; offset: number },
): Promise<{ items: IncidentRow[]; total: number }> {
  let q = db.selectFrom('incidents');
  if (filter.status) q = q.where('status', '=', filter.status);
  const rows = await q
    .selectAll()
    .orderBy('opened_at', 'desc')
    .orderBy('id')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
  const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return {
    total: Number(total.n),
    items: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      status: r.status as IncidentRow['status'],
      title: r.title,
      context: r.context,
      openedAt: r.opened_at.toISOString(),
      resolvedAt: r.resolved_at?.toISOString() ?? null,
      resolution: r.resolution,
    })),
  };
}
