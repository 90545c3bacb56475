import type { Trx } from '../../platform/db/database';
import { scheduleWork, type DueWork } from '../../platform/scheduler/scheduler';
import { pruneCapacityHistory, pruneFinishedEnvelopes } from '../store/envelope-store';

export const ENVELOPE_RETENTION_WORK = 'envelope-retention';

/** Rows deleted per kind and run: short transactions, even with a large backlog. */
export const ENVELOPE_RETENTION_BATCH = 2_000;

/**
 * Due work: deletes one batch of finished envelopes (expired or withdrawn) and of capacity
 * history points older than `keepDays`, then books itself again, a second later while a batch
 * came back full, otherwise in an hour. Every OSCP forecast replaces an envelope, so without this
 * they would grow for ever; their events stay (ADR 0032).
 */
export async function pruneOldEnvelopes(
  trx: Trx,
  work: Pick<DueWork, 'key'>,
  now: Date,
  keepDays: number,
): Promise<{ envelopes: number; capacityHistory: number }> {
  const before = new Date(now.getTime() - keepDays * 86_400_000);
  const envelopes = await pruneFinishedEnvelopes(trx, before, ENVELOPE_RETENTION_BATCH);
  const capacityHistory = await pruneCapacityHistory(trx, before, ENVELOPE_RETENTION_BATCH);
  const full = Math.max(envelopes, capacityHistory) >= ENVELOPE_RETENTION_BATCH;
  await scheduleWork(
    trx,
    {
      kind: ENVELOPE_RETENTION_WORK,
      key: work.key,
      dueAt: new Date(now.getTime() + (full ? 1_000 : 3_600_000)),
    },
    now,
  );
  return { envelopes, capacityHistory };
}
