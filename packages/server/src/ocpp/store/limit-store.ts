import { sql } from 'kysely';
import type { Executor, Trx } from '../../platform/db/database';
import type { LimitAnswer } from '../domain/charging-profile';

export interface LimitRow {
  chargerId: string;
  transactionId: number | null;
  connectorId: number;
  numberPhases: number;
  desiredA: number;
  desiredAt: Date;
  state: 'PENDING' | 'SENDING' | 'DONE';
  attempt: number;
  sentA: number | null;
  sentAt: Date | null;
  answer: LimitAnswer | null;
  answeredAt: Date | null;
  answerDetail: string | null;
  answeredConnectionId: string | null;
}

type Row = {
  charger_id: string;
  transaction_id: number | null;
  connector_id: number;
  number_phases: number;
  desired_a: number;
  desired_at: Date;
  state: string;
  attempt: number;
  sent_a: number | null;
  sent_at: Date | null;
  answer: string | null;
  answered_at: Date | null;
  answer_detail: string | null;
  answered_connection_id: string | null;
};

const columns = [
  'charger_id',
  'transaction_id',
  'connector_id',
  'number_phases',
  'desired_a',
  'desired_at',
  'state',
  'attempt',
  'sent_a',
  'sent_at',
  'answer',
  'answered_at',
  'answer_detail',
  'answered_connection_id',
] as const;

function toLimit(r: Row): LimitRow {
  return {
    chargerId: r.charger_id,
    transactionId: r.transaction_id,
    connectorId: r.connector_id,
    numberPhases: r.number_phases,
    desiredA: r.desired_a,
    desiredAt: r.desired_at,
    state: r.state as LimitRow['state'],
    attempt: r.attempt,
    sentA: r.sent_a,
    sentAt: r.sent_at,
    answer: r.answer as LimitAnswer | null,
    answeredAt: r.answered_at,
    answerDetail: r.answer_detail,
    answeredConnectionId: r.answered_connection_id,
  };
}

export async function findLimits(
  db: Executor,
  chargerIds: readonly string[],
): Promise<Map<string, LimitRow>> {
  if (chargerIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('ocpp_charging_limits')
    .select(columns)
    .where('charger_id', 'in', chargerIds)
    .execute();
  return new Map(rows.map((r) => [r.charger_id, toLimit(r)]));
}

/** A new limit to send: it replaces whatever was waiting, and the answer to it is awaited. */
export async function setDesired(
  db: Executor,
  limit: {
    chargerId: string;
    transactionId: number;
    connectorId: number;
    numberPhases: number;
    desiredA: number;
  },
  now: Date,
): Promise<void> {
  await db
    .insertInto('ocpp_charging_limits')
    .values({
      charger_id: limit.chargerId,
      transaction_id: limit.transactionId,
      connector_id: limit.connectorId,
      number_phases: limit.numberPhases,
      desired_a: limit.desiredA,
      desired_at: now,
      state: 'PENDING',
    })
    .onConflict((oc) =>
      oc.column('charger_id').doUpdateSet((eb) => ({
        transaction_id: eb.ref('excluded.transaction_id'),
        connector_id: eb.ref('excluded.connector_id'),
        number_phases: eb.ref('excluded.number_phases'),
        desired_a: eb.ref('excluded.desired_a'),
        desired_at: eb.ref('excluded.desired_at'),
        state: 'PENDING',
        lease_until: null,
      })),
    )
    .execute();
}

/** Sends the charger's current limit again (it reconnected); nothing when it has none. */
export async function resend(db: Executor, chargerId: string): Promise<boolean> {
  const result = await db
    .updateTable('ocpp_charging_limits')
    .set({ state: 'PENDING', lease_until: null })
    .where('charger_id', '=', chargerId)
    .where('transaction_id', 'is not', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function clearLimit(db: Executor, chargerId: string): Promise<void> {
  await db.deleteFrom('ocpp_charging_limits').where('charger_id', '=', chargerId).execute();
}

export interface ClaimedLimit extends LimitRow {
  connectionId: string;
}

/**
 * Claims limits waiting to go to chargers connected to this instance (and sends whose lease ran
 * out), marking them SENDING with a new attempt number. Only the instance holding the charger's
 * socket can send; SKIP LOCKED keeps this instance's overlapping polls apart.
 */
export async function claimDue(
  trx: Trx,
  instanceId: string,
  now: Date,
  leaseMs: number,
  limit: number,
): Promise<ClaimedLimit[]> {
  const result = await sql<Row & { connection_id: string }>`
    UPDATE ocpp_charging_limits l
    SET state = 'SENDING', attempt = l.attempt + 1, lease_until = ${new Date(now.getTime() + leaseMs)}
    FROM ocpp_charge_points p
    WHERE p.charger_id = l.charger_id AND l.charger_id IN (
      SELECT d.charger_id FROM ocpp_charging_limits d
      JOIN ocpp_charge_points q ON q.charger_id = d.charger_id
      WHERE q.instance_id = ${instanceId}
        AND (d.state = 'PENDING' OR (d.state = 'SENDING' AND d.lease_until <= ${now}))
        AND EXISTS (SELECT 1 FROM ocpp_transactions t
                    WHERE t.transaction_id = d.transaction_id AND t.stopped_at IS NULL)
      ORDER BY d.desired_at
      LIMIT ${limit}
      FOR UPDATE OF d SKIP LOCKED
    )
    RETURNING l.charger_id, l.transaction_id, l.connector_id, l.number_phases, l.desired_a,
      l.desired_at, l.state, l.attempt, l.sent_a, l.sent_at, l.answer, l.answered_at,
      l.answer_detail, l.answered_connection_id, p.connection_id`.execute(trx);
  return result.rows.map((r) => ({ ...toLimit(r), connectionId: r.connection_id }));
}

/**
 * Records the charger's answer to attempt `attempt`. The limit is DONE unless a newer one arrived
 * meanwhile (then it stays PENDING and goes out next). False when the attempt is no longer current.
 */
export async function recordAnswer(
  db: Executor,
  chargerId: string,
  attempt: number,
  outcome: {
    sentA: number;
    sentAt: Date;
    answer: LimitAnswer;
    detail: string | null;
    connectionId: string;
    at: Date;
  },
): Promise<boolean> {
  const result = await db
    .updateTable('ocpp_charging_limits')
    .set({
      state: sql`CASE WHEN state = 'SENDING' THEN 'DONE' ELSE state END`,
      lease_until: null,
      sent_a: outcome.sentA,
      sent_at: outcome.sentAt,
      answer: outcome.answer,
      answered_at: outcome.at,
      answer_detail: outcome.detail,
      answered_connection_id: outcome.connectionId,
    })
    .where('charger_id', '=', chargerId)
    .where('attempt', '=', attempt)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Puts a claimed limit back to wait (its charger is not connected here after all). */
export async function release(db: Executor, chargerId: string, attempt: number): Promise<void> {
  await db
    .updateTable('ocpp_charging_limits')
    .set({ state: 'PENDING', lease_until: null })
    .where('charger_id', '=', chargerId)
    .where('attempt', '=', attempt)
    .where('state', '=', 'SENDING')
    .execute();
}
