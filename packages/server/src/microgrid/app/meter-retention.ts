import type { Trx } from '../../platform/db/database';
import { scheduleWork, type DueWork } from '../../platform/scheduler/scheduler';
import { pruneMeterReadings } from '../store/session-store';

export const METER_RETENTION_WORK = 'meter-readings-retention';

/** Readings deleted per run: short transactions, even with a large backlog. */
export const METER_RETENTION_BATCH = 10_000;

/**
 * Due work: deletes one batch of meter readings older than `keepDays`, then books itself again,
 * a second later while the batch came back full, otherwise in an hour. A depot with a reading per
 * charger every few seconds writes hundreds of thousands a day; the console looks back a day, and
 * sessions keep their own energy total.
 */
export async function pruneOldMeterReadings(
  trx: Trx,
  work: Pick<DueWork, 'key'>,
  now: Date,
  keepDays: number,
): Promise<number> {
  const before = new Date(now.getTime() - keepDays * 86_400_000);
  const pruned = await pruneMeterReadings(trx, before, METER_RETENTION_BATCH);
  const again = pruned >= METER_RETENTION_BATCH ? 1_000 : 3_600_000;
  await scheduleWork(
    trx,
    { kind: METER_RETENTION_WORK, key: work.key, dueAt: new Date(now.getTime() + again) },
    now,
  );
  return pruned;
}
