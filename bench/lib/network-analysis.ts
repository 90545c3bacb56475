import type pg from 'pg';
import type { OutboundHeartbeat } from './heartbeat-analysis';
import { round, summarise, type LatencySummary } from './report';

/** `measurements:<snapshot>:<window end ISO>`: the dedupe key measurements.ts gives each message. */
const MEASUREMENT_DEDUPE = /^measurements:[^:]+:(.+)$/;

/** Heartbeat send lateness (arrival at the peer − due) of those due in [from, to). */
export function heartbeatLatenessBetween(
  rows: readonly OutboundHeartbeat[],
  from: number,
  to: number,
): { due: number; arrived: number; latenessMs: LatencySummary; over1s: number } {
  const due = rows.filter((r) => r.due >= from && r.due < to);
  const late = due.filter((r) => r.arrived !== null).map((r) => r.arrived! - r.due);
  return {
    due: due.length,
    arrived: late.length,
    latenessMs: summarise(late),
    over1s: late.filter((ms) => ms > 1000).length,
  };
}

export interface MeasurementBoundary {
  /** The window end every connection's measurements fell due at. */
  boundary: string;
  messages: number;
  delivered: number;
  byStatus: Record<string, number>;
  /** delivered_at − boundary, the FP's record of the peer's 2xx. */
  deliveryMs: LatencySummary;
  /** From the boundary until the last one was delivered. */
  allDeliveredAfterSeconds: number | null;
  /** Heartbeats due in the minute after the boundary: their send lateness. */
  heartbeatsDuring: ReturnType<typeof heartbeatLatenessBetween>;
}

/**
 * The measurement boundaries inside the window: every connection's measurements fall due at the same
 * window end, so each boundary is a burst of one message per connection. Read from the outbox.
 */
export async function analyseMeasurementBoundaries(
  client: pg.Client,
  window: { start: number; end: number },
  heartbeats: readonly OutboundHeartbeat[],
): Promise<MeasurementBoundary[]> {
  const { rows } = await client.query<{
    dedupe_key: string;
    status: string;
    delivered_at: Date | null;
  }>(
    `SELECT dedupe_key, status, delivered_at FROM outbound_messages
     WHERE kind IN ('UpdateGroupMeasurements', 'UpdateAssetMeasurements') AND dedupe_key LIKE 'measurements:%'`,
  );
  const byBoundary = new Map<number, typeof rows>();
  for (const r of rows) {
    const match = MEASUREMENT_DEDUPE.exec(r.dedupe_key);
    if (!match) continue;
    const at = Date.parse(match[1]!);
    if (!(at >= window.start && at < window.end)) continue;
    const list = byBoundary.get(at) ?? [];
    list.push(r);
    byBoundary.set(at, list);
  }
  return [...byBoundary.entries()]
    .sort(([a], [b]) => a - b)
    .map(([at, list]) => {
      const byStatus: Record<string, number> = {};
      for (const r of list) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
      const delivered = list
        .filter((r) => r.delivered_at !== null)
        .map((r) => r.delivered_at!.getTime() - at);
      return {
        boundary: new Date(at).toISOString(),
        messages: list.length,
        delivered: delivered.length,
        byStatus,
        deliveryMs: summarise(delivered),
        allDeliveredAfterSeconds:
          delivered.length === list.length && delivered.length > 0
            ? round(Math.max(...delivered) / 1000, 1)
            : null,
        heartbeatsDuring: heartbeatLatenessBetween(heartbeats, at, at + 60_000),
      };
    });
}

/** OscpPeerOffline events between two instants (every connection is ONLINE: any is false). */
export async function offlineEventsBetween(
  client: pg.Client,
  from: number,
  to: number,
): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM events WHERE type = 'OscpPeerOffline'
     AND recorded_at >= $1 AND recorded_at < $2`,
    [new Date(from), new Date(to)],
  );
  return rows[0]!.n;
}
