import type { Trx } from '../../platform/db/database';
import { scheduleWork, type DueWork } from '../../platform/scheduler/scheduler';
import { foldRegisters } from '../store/energy-register-store';
import { pruneMeterReadings } from '../store/session-store';

export const METER_RETENTION_WORK = 'meter-readings-retention';

/** Readings deleted (and register seconds folded) per run: short transactions, even with a backlog. */
export const METER_RETENTION_BATCH = 10_000;

/**
 * How long a register keeps its energy per second before folding it into its total: long enough
 * that every window still to be published can read the register at its end (ADR 0040).
 */
export const REGISTER_DETAIL_MS = 2 * 86_400_000;

/**
 * Due work: deletes one batch of meter readings older than `keepDays` and folds one batch of old
 * register seconds, then books itself again, a second later while a batch came back full,
 * otherwise in an hour. A depot with a reading per charger every few seconds writes hundreds of
 * thousands a day; the console looks back a day, and sessions and registers keep their own totals.
 */
export async function pruneOldMeterReadings(
  trx: Trx,
  work: Pick<DueWork, 'key'>,
  now: Date,
  keepDays: number,
): Promise<number> {
  const before = new Date(now.getTime() - keepDays * 86_400_000);
  const pruned = await pruneMeterReadings(trx, before, METER_RETENTION_BATCH);
  const folded = await foldRegisters(
    trx,
    new Date(now.getTime() - REGISTER_DETAIL_MS),
    METER_RETENTION_BATCH,
  );
  const full = pruned >= METER_RETENTION_BATCH || folded >= METER_RETENTION_BATCH;
  await scheduleWork(
    trx,
    {
      kind: METER_RETENTION_WORK,
      key: work.key,
      dueAt: new Date(now.getTime() + (full ? 1_000 : 3_600_000)),
    },
    now,
  );
  return pruned;
}
