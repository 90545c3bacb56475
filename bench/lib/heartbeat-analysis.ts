import type pg from 'pg';
import { round, summarise, type LatencySummary } from './report';

/** `heartbeat:<connection uuid>:<due ISO>`: the dedupe key lifecycle.ts gives each heartbeat. */
const DEDUPE = /^heartbeat:([0-9a-f-]{36}):(.+)$/;

export interface OutboundHeartbeat {
  requestId: string;
  connectionId: string;
  status: string;
  due: number;
  created: number;
  delivered: number | null;
  /** When the simulator received it (its onRequest), if it did. */
  arrived: number | null;
}

export interface OutboundAnalysis {
  /** Heartbeats the FP owed in the window: connections × window ÷ interval. */
  expected: number;
  /** Heartbeat rows whose due time falls in the window, by status at the end (after the drain). */
  dueInWindow: number;
  byStatus: Record<string, number>;
  /** Of those, how many reached the simulator. */
  arrivedAtPeer: number;
  /** Heartbeat rows delivered (delivered_at) inside the window, and per second. */
  deliveredInWindow: number;
  deliveredPerSecond: number;
  /**
   * Send lateness: arrival at the simulator − due time. The arrival is taken when the simulator's
   * HTTP server sees the request, i.e. once the FP has handed it to the network (loopback).
   */
  sendLatenessMs: LatencySummary;
  /** Breakdown: the scheduler writing the row (created_at − due). */
  enqueueLatenessMs: LatencySummary;
  /** Breakdown: from the row being written to its arrival (dispatcher polling, claim, HTTP). */
  dispatchMs: LatencySummary;
  /** delivered_at − due: the FP's own record of the delivery (after the 204 and its transaction). */
  deliveredLatenessMs: LatencySummary;
  /** Heartbeats arriving more than 1 s late. */
  lateOver1s: number;
  /** Per connection, the longest time between two consecutive heartbeats at the peer. */
  longestGapMs: number | null;
  /** Gaps longer than 1.5 × the interval (a beat missed or skipped), and longer than 3 × (the
   * offline_mode_at the FP announces: the peer would consider the FP offline). */
  gapsOver1_5xInterval: number;
  gapsOver3xInterval: number;
  /** Per 30 s of the window: heartbeats due, how many arrived, p99 send lateness. */
  timeline: { fromSecond: number; due: number; arrived: number; p99Ms: number | null }[];
}

function latency(values: number[]): LatencySummary {
  return summarise(values);
}

export async function loadOutboundHeartbeats(
  client: pg.Client,
  arrivals: ReadonlyMap<string, number>,
): Promise<OutboundHeartbeat[]> {
  const result = await client.query<{
    request_id: string;
    status: string;
    dedupe_key: string;
    created_at: Date;
    delivered_at: Date | null;
  }>(
    `SELECT request_id, status, dedupe_key, created_at, delivered_at
     FROM outbound_messages WHERE kind = 'Heartbeat' AND dedupe_key LIKE 'heartbeat:%'`,
  );
  const rows: OutboundHeartbeat[] = [];
  for (const r of result.rows) {
    const match = DEDUPE.exec(r.dedupe_key);
    if (!match) continue;
    rows.push({
      requestId: r.request_id,
      connectionId: match[1]!,
      status: r.status,
      due: Date.parse(match[2]!),
      created: r.created_at.getTime(),
      delivered: r.delivered_at?.getTime() ?? null,
      arrived: arrivals.get(r.request_id) ?? null,
    });
  }
  return rows;
}

export function analyseOutbound(
  rows: readonly OutboundHeartbeat[],
  window: { start: number; end: number },
  connections: number,
  intervalSeconds: number,
): OutboundAnalysis {
  const seconds = (window.end - window.start) / 1000;
  const inWindow = rows.filter((r) => r.due >= window.start && r.due < window.end);
  const byStatus: Record<string, number> = {};
  for (const r of inWindow) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  const arrived = inWindow.filter((r) => r.arrived !== null);
  const send = arrived.map((r) => r.arrived! - r.due);
  const delivered = rows.filter(
    (r) => r.delivered !== null && r.delivered >= window.start && r.delivered < window.end,
  ).length;

  // Gaps at the peer, per connection, between heartbeats arriving in the window.
  const perConnection = new Map<string, number[]>();
  for (const r of rows) {
    if (r.arrived === null || r.arrived < window.start || r.arrived >= window.end) continue;
    const list = perConnection.get(r.connectionId) ?? [];
    list.push(r.arrived);
    perConnection.set(r.connectionId, list);
  }
  let longestGap: number | null = null;
  let over15 = 0;
  let over3 = 0;
  const intervalMs = intervalSeconds * 1000;
  for (const list of perConnection.values()) {
    list.sort((a, b) => a - b);
    for (let i = 1; i < list.length; i += 1) {
      const gap = list[i]! - list[i - 1]!;
      longestGap = Math.max(longestGap ?? 0, gap);
      if (gap > 1.5 * intervalMs) over15 += 1;
      if (gap > 3 * intervalMs) over3 += 1;
    }
  }

  const timeline: OutboundAnalysis['timeline'] = [];
  for (let from = 0; from + 1 < seconds; from += 30) {
    const bucket = inWindow.filter(
      (r) => r.due >= window.start + from * 1000 && r.due < window.start + (from + 30) * 1000,
    );
    const late = bucket
      .filter((r) => r.arrived !== null)
      .map((r) => r.arrived! - r.due)
      .sort((a, b) => a - b);
    timeline.push({
      fromSecond: from,
      due: bucket.length,
      arrived: late.length,
      p99Ms: late.length
        ? round(late[Math.min(late.length - 1, Math.ceil(0.99 * late.length) - 1)]!, 1)
        : null,
    });
  }

  return {
    expected: Math.round((connections * seconds) / intervalSeconds),
    dueInWindow: inWindow.length,
    byStatus,
    arrivedAtPeer: arrived.length,
    deliveredInWindow: delivered,
    deliveredPerSecond: round(delivered / seconds, 2),
    sendLatenessMs: latency(send),
    enqueueLatenessMs: latency(inWindow.map((r) => r.created - r.due)),
    dispatchMs: latency(arrived.map((r) => r.arrived! - r.created)),
    deliveredLatenessMs: latency(
      inWindow.filter((r) => r.delivered !== null).map((r) => r.delivered! - r.due),
    ),
    lateOver1s: send.filter((v) => v > 1000).length,
    longestGapMs: longestGap,
    gapsOver1_5xInterval: over15,
    gapsOver3xInterval: over3,
    timeline,
  };
}

export interface InboundAnalysis {
  /** Heartbeats the FP accepted (oscp_inbound_requests) in the window, per second. */
  acceptedPerSecond: number;
  accepted: number;
}

export async function analyseInbound(
  client: pg.Client,
  window: { start: number; end: number },
): Promise<InboundAnalysis> {
  const result = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM oscp_inbound_requests
     WHERE endpoint = 'heartbeat' AND received_at >= $1 AND received_at < $2`,
    [new Date(window.start), new Date(window.end)],
  );
  const accepted = result.rows[0]?.n ?? 0;
  return {
    accepted,
    acceptedPerSecond: round(accepted / ((window.end - window.start) / 1000), 2),
  };
}

/** Lifecycle and audit events of the connections in a period, by type. */
export async function eventCounts(
  client: pg.Client,
  from: number,
  to: number,
): Promise<Record<string, number>> {
  const result = await client.query<{ type: string; n: number }>(
    `SELECT type, count(*)::int AS n FROM events
     WHERE stream_id LIKE 'oscp-connection-%' AND recorded_at >= $1 AND recorded_at < $2
     GROUP BY type ORDER BY type`,
    [new Date(from), new Date(to)],
  );
  return Object.fromEntries(result.rows.map((r) => [r.type, r.n]));
}

export async function connectionStates(client: pg.Client): Promise<Record<string, number>> {
  const result = await client.query<{ state: string; n: number }>(
    `SELECT state, count(*)::int AS n FROM oscp_connections GROUP BY state ORDER BY state`,
  );
  return Object.fromEntries(result.rows.map((r) => [r.state, r.n]));
}

export interface DatabaseActivity {
  transactions: number;
  rollbacks: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsDeleted: number;
  rowsReturned: number;
  rowsFetched: number;
  blocksRead: number;
  blocksHit: number;
}

/** Cumulative counters of the benchmark database (pg_stat_database; flushed about every second). */
export async function databaseActivity(client: pg.Client): Promise<DatabaseActivity> {
  const result = await client.query<Record<string, string>>(
    `SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted, tup_returned,
            tup_fetched, blks_read, blks_hit
     FROM pg_stat_database WHERE datname = current_database()`,
  );
  const r = result.rows[0] ?? {};
  const n = (k: string) => Number(r[k] ?? 0);
  return {
    transactions: n('xact_commit'),
    rollbacks: n('xact_rollback'),
    rowsInserted: n('tup_inserted'),
    rowsUpdated: n('tup_updated'),
    rowsDeleted: n('tup_deleted'),
    rowsReturned: n('tup_returned'),
    rowsFetched: n('tup_fetched'),
    blocksRead: n('blks_read'),
    blocksHit: n('blks_hit'),
  };
}

export function activityDelta(a: DatabaseActivity, b: DatabaseActivity): DatabaseActivity {
  const out = {} as DatabaseActivity;
  for (const key of Object.keys(a) as (keyof DatabaseActivity)[]) out[key] = b[key] - a[key];
  return out;
}
