import type { Trx } from '../../platform/db/database';
import { pruneFinishedOutbound } from '../../platform/outbox/outbox';
import { scheduleWork, type DueWork } from '../../platform/scheduler/scheduler';
import { MEASUREMENT_KINDS } from '../domain/measurements';
import { pruneInboundRequests } from '../store/inbound-requests';
import { pruneMeasurements } from '../store/measurement-history';
import { pruneClearedProblems } from '../store/problems';
import { pruneRefusals } from '../store/refusals';

export const RETENTION_WORK = 'oscp-retention';

export interface RetentionSettings {
  /** Delivered heartbeats, and heartbeats received: routine, about 200 rows/s each at 2,000 connections. */
  heartbeatHours: number;
  /** Every other finished publication and received request id, refused calls, cleared problems. */
  recordDays: number;
  /** Measurement publications (their records and outbox rows): what a dispute may ask about. */
  measurementDays: number;
}

/** Rows deleted per kind of record and run: short transactions, even with a large backlog. */
export const RETENTION_BATCH = 5_000;
const AGAIN_SOON_MS = 1_000;
const HOURLY_MS = 3_600_000;

/**
 * Due work: deletes one batch of each kind of expired OSCP record, then books itself again, soon
 * while a batch came back full, otherwise in an hour. Events (the audit trail) are never pruned.
 */
export async function pruneOscpRecords(
  trx: Trx,
  work: Pick<DueWork, 'key'>,
  now: Date,
  settings: RetentionSettings,
): Promise<{
  outbound: number;
  inbound: number;
  refusals: number;
  problems: number;
  measurements: number;
}> {
  const heartbeatsBefore = new Date(now.getTime() - settings.heartbeatHours * 3_600_000);
  const recordsBefore = new Date(now.getTime() - settings.recordDays * 86_400_000);
  const measurementsBefore = new Date(now.getTime() - settings.measurementDays * 86_400_000);
  const limit = RETENTION_BATCH;
  const counts = [
    await pruneFinishedOutbound(trx, { before: heartbeatsBefore, kinds: ['Heartbeat'], limit }),
    await pruneFinishedOutbound(trx, {
      before: recordsBefore,
      exceptKinds: MEASUREMENT_KINDS,
      limit,
    }),
    await pruneInboundRequests(trx, { before: heartbeatsBefore, endpoints: ['heartbeat'], limit }),
    await pruneInboundRequests(trx, { before: recordsBefore, limit }),
    await pruneRefusals(trx, { before: recordsBefore, limit }),
    await pruneClearedProblems(trx, { before: recordsBefore, limit }),
    await pruneFinishedOutbound(trx, {
      before: measurementsBefore,
      kinds: MEASUREMENT_KINDS,
      limit,
    }),
    await pruneMeasurements(trx, { before: measurementsBefore, limit }),
  ];
  const more = counts.some((n) => n >= limit);
  await scheduleWork(
    trx,
    {
      kind: RETENTION_WORK,
      key: work.key,
      dueAt: new Date(now.getTime() + (more ? AGAIN_SOON_MS : HOURLY_MS)),
    },
    now,
  );
  return {
    outbound: counts[0]! + counts[1]! + counts[6]!,
    inbound: counts[2]! + counts[3]!,
    refusals: counts[4]!,
    problems: counts[5]!,
    measurements: counts[7]!,
  };
}
