import { createHash, randomUUID } from 'node:crypto';
import type { Trx } from '../../platform/db/database';
import { enqueueOutbound } from '../../platform/outbox/outbox';
import { cancelWork, scheduleWork, type DueWork } from '../../platform/scheduler/scheduler';
import { readyForBusiness } from '../domain/lifecycle';
import {
  firstWindowEnd,
  followingWindowEnd,
  measuredWindow,
  measurementMessage,
  planPublication,
  type WindowMetering,
} from '../domain/measurements';
import * as projection from '../store/connection-projection';
import * as history from '../store/measurement-history';

export const MEASUREMENT_WORK = 'oscp-measurements';

/**
 * The microgrid's answer for a scope and a window (from, to], read in the caller's transaction:
 * its register at both ends and its peak load; undefined if the scope is gone.
 */
export type MeteringPort = (
  trx: Trx,
  scopeId: string,
  from: Date,
  to: Date,
) => Promise<WindowMetering | undefined>;

/** The longest a connection waits after its window's end: half of the 60 s a network's boundary may take. */
const MAX_PUBLICATION_DELAY_MS = 30_000;

/**
 * How long after its window's end a connection sends: a fixed spread per connection of up to
 * 30 s (a tenth of the interval at most), so a thousand connections do not all publish in the
 * same second and crowd out their heartbeats, and every one has gone out well within a minute of
 * the boundary. The window reported stays aligned.
 */
export function publicationDelayMs(connectionId: string, intervalSeconds: number): number {
  const spread = Math.min(MAX_PUBLICATION_DELAY_MS, intervalSeconds * 100);
  return createHash('sha256').update(connectionId).digest().readUInt32BE(0) % spread;
}

async function bookWindow(
  trx: Trx,
  connectionId: string,
  interval: number,
  windowEnd: Date,
  now: Date,
) {
  await scheduleWork(
    trx,
    {
      kind: MEASUREMENT_WORK,
      key: connectionId,
      dueAt: new Date(windowEnd.getTime() + publicationDelayMs(connectionId, interval)),
      payload: { windowEnd: windowEnd.toISOString() },
    },
    now,
  );
}

/** Books the first publication (after a handshake): the end of the current window. */
export async function startMeasurements(
  trx: Trx,
  snap: projection.ConnectionRow,
  now: Date,
): Promise<void> {
  const interval = snap.profile.measurementPublicationIntervalSeconds;
  await bookWindow(trx, snap.id, interval, firstWindowEnd(now, snap.profile), now);
}

export async function stopMeasurements(trx: Trx, connectionId: string): Promise<void> {
  await cancelWork(trx, MEASUREMENT_WORK, connectionId);
}

/** The window end a due item is for (`periodEnd`: booked before windows were named so). */
function dueWindowEnd(work: DueWork): Date {
  const end = work.payload.windowEnd ?? work.payload.periodEnd;
  return typeof end === 'string' ? new Date(end) : work.dueAt;
}

/**
 * Due work at a window's end: while the connection is ready for business, publishes the window —
 * the outbox row and its measurement record in this one transaction — then books the next window.
 * Disabled connections stop here.
 */
export async function publishMeasurements(
  trx: Trx,
  work: DueWork,
  now: Date,
  metering: MeteringPort,
  maxAttempts: number,
): Promise<void> {
  const snap = await projection.findConnection(trx, work.key);
  if (!snap?.enabled) return;
  const { profile } = snap;
  const end = dueWindowEnd(work);
  const plan = planPublication({
    end,
    now,
    ready: readyForBusiness(snap.lifecycle),
    scopeId: snap.scopeId,
    intervalSeconds: profile.measurementPublicationIntervalSeconds,
    previous: await history.latestPublished(trx, snap.id),
  });
  const metered = plan.publish
    ? await metering(trx, snap.scopeId, plan.start, plan.end)
    : undefined;
  if (plan.publish && metered) {
    const window = measuredWindow(plan, metered);
    const message = measurementMessage(profile, window);
    const outbound = await enqueueOutbound(
      trx,
      {
        connectionId: snap.id,
        kind: message.kind,
        body: message.body as unknown as Record<string, unknown>,
        dedupeKey: `measurements:${snap.id}:${end.toISOString()}`,
        maxAttempts,
      },
      now,
    );
    if (outbound) {
      await history.insertMeasurement(trx, {
        id: randomUUID(),
        connectionId: snap.id,
        scopeId: snap.scopeId,
        groupId: profile.groupId,
        kind: message.kind,
        configuration: profile.measurementConfiguration,
        window,
        outboundMessageId: outbound.id,
        requestId: outbound.requestId,
        body: outbound.body,
        createdAt: now,
      });
    }
  }
  const next = followingWindowEnd(end, now, profile);
  await bookWindow(trx, snap.id, profile.measurementPublicationIntervalSeconds, next, now);
}
