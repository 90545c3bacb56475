import type { Trx } from '../../platform/db/database';
import { scheduleWork, type DueWork } from '../../platform/scheduler/scheduler';
import { pruneLog } from '../store/message-log-store';

export const OCPP_LOG_RETENTION_WORK = 'ocpp-message-log-retention';

/** Messages kept per charger: the console shows the newest; older ones are diagnosis history. */
export const OCPP_LOG_KEEP_PER_CHARGER = 200;

/** Due work: keeps each charger's newest messages, then books itself ten minutes later. */
export async function pruneMessageLog(
  trx: Trx,
  work: Pick<DueWork, 'key'>,
  now: Date,
): Promise<number> {
  const pruned = await pruneLog(trx, OCPP_LOG_KEEP_PER_CHARGER);
  await scheduleWork(
    trx,
    { kind: OCPP_LOG_RETENTION_WORK, key: work.key, dueAt: new Date(now.getTime() + 600_000) },
    now,
  );
  return pruned;
}
