import { createHash } from 'node:crypto';
import {
  toWireTime,
  type EnergyMeasurement,
  type UpdateAssetMeasurements,
  type UpdateGroupMeasurements,
} from '@openvelope/oscp';
import type { Trx } from '../../platform/db/database';
import { enqueueOutbound } from '../../platform/outbox/outbox';
import { cancelWork, scheduleWork, type DueWork } from '../../platform/scheduler/scheduler';
import type { ConnectionProfile } from '../domain/connection-profile';
import { readyForBusiness } from '../domain/lifecycle';
import * as projection from '../store/connection-projection';

export const MEASUREMENT_WORK = 'oscp-measurements';

/** What the depot metered on a scope in a period, from the microgrid's read contract. */
export interface MeteredUse {
  energyWh: number;
  powerW: number;
}

/**
 * The microgrid's answer for a scope and a period (from, to], read in the caller's transaction;
 * undefined if it cannot meter the scope.
 */
export type MeteringPort = (
  trx: Trx,
  scopeId: string,
  from: Date,
  to: Date,
) => Promise<MeteredUse | undefined>;

/**
 * Publication periods end on multiples of the interval since the epoch: every 900 s gives :00,
 * :15, :30 and :45 of each hour, as Vector expects ("aligned to the clock hour").
 */
export function nextPeriodEnd(after: Date, intervalSeconds: number): Date {
  const interval = intervalSeconds * 1000;
  return new Date(Math.floor(after.getTime() / interval) * interval + interval);
}

/**
 * The message for one period (ADR 0017). Energy is what was used within the period, with
 * `initial_measure_time` = the period's start, for CONTINUOUS peers too (the depot has no register
 * that never resets: session meters restart with each session). Group mode sends one
 * EnergyMeasurement; asset mode one asset (the site's reporting asset) with its energy and its
 * power at the period's end in kW (Vector accepts W or kW only).
 */
export function measurementMessage(
  profile: Pick<ConnectionProfile, 'groupId' | 'measurementPublicationMode' | 'reportingAssetId'>,
  period: { start: Date; end: Date },
  use: MeteredUse,
):
  | { kind: 'UpdateGroupMeasurements'; body: UpdateGroupMeasurements }
  | { kind: 'UpdateAssetMeasurements'; body: UpdateAssetMeasurements } {
  const energy: EnergyMeasurement = {
    value: Math.round(use.energyWh),
    phase: 'ALL',
    unit: 'WH',
    direction: 'IMPORT',
    measure_time: toWireTime(period.end),
    initial_measure_time: toWireTime(period.start),
  };
  if (profile.measurementPublicationMode === 'GROUP' || !profile.reportingAssetId) {
    return {
      kind: 'UpdateGroupMeasurements',
      body: { group_id: profile.groupId, measurements: [energy] },
    };
  }
  return {
    kind: 'UpdateAssetMeasurements',
    body: {
      group_id: profile.groupId,
      measurements: [
        {
          asset_id: profile.reportingAssetId,
          asset_category: 'CHARGING',
          energy_measurement: energy,
          instantaneous_measurement: {
            value: Math.round(use.powerW) / 1000,
            phase: 'ALL',
            unit: 'KW',
            measure_time: toWireTime(period.end),
          },
        },
      ],
    },
  };
}

/**
 * How long after its period's end a connection sends: a fixed spread per connection of up to a
 * minute (a tenth of the period at most), so a thousand connections do not all publish in the
 * same second and crowd out their heartbeats. The period reported stays aligned.
 */
export function publicationDelayMs(connectionId: string, intervalSeconds: number): number {
  const spread = Math.min(60_000, intervalSeconds * 100);
  return createHash('sha256').update(connectionId).digest().readUInt32BE(0) % spread;
}

async function bookPeriod(
  trx: Trx,
  connectionId: string,
  interval: number,
  periodEnd: Date,
  now: Date,
) {
  await scheduleWork(
    trx,
    {
      kind: MEASUREMENT_WORK,
      key: connectionId,
      dueAt: new Date(periodEnd.getTime() + publicationDelayMs(connectionId, interval)),
      payload: { periodEnd: periodEnd.toISOString() },
    },
    now,
  );
}

/** Books the first publication for the end of the current period (after a handshake). */
export async function startMeasurements(
  trx: Trx,
  snap: projection.ConnectionRow,
  now: Date,
): Promise<void> {
  const interval = snap.profile.measurementPublicationIntervalSeconds;
  await bookPeriod(trx, snap.id, interval, nextPeriodEnd(now, interval), now);
}

export async function stopMeasurements(trx: Trx, connectionId: string): Promise<void> {
  await cancelWork(trx, MEASUREMENT_WORK, connectionId);
}

/**
 * Due work at a period's end: publishes the period's use while the connection is ready for
 * business, then books the next period. A period missed while the instance was down is not sent
 * late; publication resumes with the current one. Disabled connections stop here.
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
  const interval = snap.profile.measurementPublicationIntervalSeconds;
  const end =
    typeof work.payload.periodEnd === 'string' ? new Date(work.payload.periodEnd) : work.dueAt;
  const start = new Date(end.getTime() - interval * 1000);
  const use = readyForBusiness(snap.lifecycle)
    ? await metering(trx, snap.scopeId, start, end)
    : undefined;
  if (use) {
    const message = measurementMessage(snap.profile, { start, end }, use);
    await enqueueOutbound(
      trx,
      {
        connectionId: snap.id,
        kind: message.kind,
        body: message.body,
        dedupeKey: `measurements:${snap.id}:${end.toISOString()}`,
        maxAttempts,
      },
      now,
    );
  }
  // The next period after the one just reported, or after now if periods were missed.
  const next = nextPeriodEnd(new Date(Math.max(end.getTime(), now.getTime() - 1)), interval);
  await bookPeriod(trx, snap.id, interval, next, now);
}
