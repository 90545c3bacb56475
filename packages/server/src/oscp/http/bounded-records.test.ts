import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useLifecycleHarness } from '../../testing/lifecycle-harness';
import { createLogger } from '../../platform/logging';
import { receiveForecast } from '../app/inbound/forecast';

// Every forecast replaces the scope's LIMIT envelope and usually changes the circuit's capacity,
// so the records behind the envelope list and the capacity chart grow with the peer's rate. The
// lists are paged and the chart thinned, so an answer's size does not grow with them, and finished
// envelopes and old capacity history are pruned after ENVELOPE_RETENTION_DAYS.
//
// Twenty forecasts go through the real path; their records are then copied to the count 10,000
// forecasts leave (one withdrawn envelope and one capacity change each), because ten thousand
// real ones would take minutes.

const h = useLifecycleHarness();
const FORECASTS = 10_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function forecastThroughTheRealPath(id: string, group: string, count: number) {
  const deps = {
    db: h.ctx.db,
    clock: h.ctx.clock,
    log: createLogger('silent'),
    handler: h.ctx.app.oscp.handler,
  };
  for (let i = 0; i < count; i += 1) {
    const now = h.ctx.clock.now().getTime();
    const answer = await receiveForecast(
      deps,
      {
        endpoint: 'update_group_capacity_forecast',
        requestId: `forecast-${i}`,
        remoteAddress: '127.0.0.1',
        authorizationScheme: 'Token',
        principal: { kind: 'peer', connectionId: id, credential: 'TOKEN' },
        correlationId: undefined,
      },
      {
        group_id: group,
        type: 'CONSUMPTION',
        forecasted_blocks: [
          {
            capacity: 20 + (i % 7),
            phase: 'ALL',
            unit: 'A',
            start_time: new Date(now).toISOString(),
            end_time: new Date(now + HOUR).toISOString(),
          },
        ],
      },
    );
    expect(answer.status).toBe(204);
    h.ctx.clock.advance(1000);
  }
}

/** Copies the oldest withdrawn envelope (with its blocks) and the latest capacity change. */
async function copyRecords(scopeId: string, circuitId: string, copies: number) {
  await sql`
    WITH template AS (
      SELECT * FROM envelopes WHERE scope_id = ${scopeId} AND status = 'WITHDRAWN'
      ORDER BY submitted_at LIMIT 1
    ), copied AS (
      INSERT INTO envelopes (id, scope_id, circuit_id, source, origin, status, starts_at, ends_at,
        submitted_at, submitted_by, role, withdrawn_at, withdrawn_by)
      SELECT gen_random_uuid(), t.scope_id, t.circuit_id, t.source, t.origin, t.status,
        t.starts_at - n * interval '5 seconds', t.ends_at - n * interval '5 seconds',
        t.submitted_at - n * interval '5 seconds', t.submitted_by, t.role,
        t.withdrawn_at - n * interval '5 seconds', t.withdrawn_by
      FROM template t, generate_series(1, ${copies}) AS n
      RETURNING id
    )
    INSERT INTO envelope_blocks (envelope_id, idx, starts_at, ends_at, import_limit_value,
      import_limit_unit)
    SELECT c.id, b.idx, b.starts_at, b.ends_at, b.import_limit_value, b.import_limit_unit
    FROM copied c JOIN envelope_blocks b ON b.envelope_id = (SELECT id FROM template)`.execute(
    h.ctx.db,
  );
  await sql`
    INSERT INTO capacity_history (circuit_id, at, static_capacity_a, effective_capacity_a, source)
    SELECT circuit_id, at - n * interval '5 seconds', static_capacity_a, 20 + n % 7, source
    FROM (SELECT * FROM capacity_history WHERE circuit_id = ${circuitId}
          ORDER BY at DESC LIMIT 1) latest, generate_series(1, ${copies}) AS n`.execute(h.ctx.db);
}

async function count(table: 'envelopes' | 'capacity_history') {
  const row = await h.ctx.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe(`after ${FORECASTS} forecasts`, () => {
  it('the envelope list pages and the capacity chart thins: each answer stays small', async () => {
    const { id, group } = await h.handshaken();
    const { scopeId, circuitId } = h.ids;
    await forecastThroughTheRealPath(id, group, 20);
    await copyRecords(scopeId, circuitId, FORECASTS - 20);
    expect(await count('envelopes')).toBeGreaterThanOrEqual(FORECASTS);

    // Every page of the scope's envelope history, newest first, none twice.
    const seen = new Set<string>();
    let before: string | null = null;
    let previous = Infinity;
    let largest = 0;
    do {
      const page = await h.ctx.request({
        method: 'GET',
        url: `/api/scopes/${scopeId}/envelopes?status=all${before ? `&before=${encodeURIComponent(before)}` : ''}`,
        cookie: h.manager,
      });
      expect(page.statusCode, page.body).toBe(200);
      largest = Math.max(largest, page.body.length);
      const body = page.json() as {
        envelopes: { id: string; submittedAt: string }[];
        nextBefore: string | null;
      };
      expect(body.envelopes.length).toBeLessThanOrEqual(50);
      for (const envelope of body.envelopes) {
        expect(seen.has(envelope.id)).toBe(false);
        seen.add(envelope.id);
        const at = Date.parse(envelope.submittedAt);
        expect(at).toBeLessThanOrEqual(previous);
        previous = at;
      }
      before = body.nextBefore;
    } while (before);
    expect(seen.size).toBe(await count('envelopes'));
    expect(largest).toBeLessThan(64 * 1024);

    const chart = await h.ctx.request({
      method: 'GET',
      url: `/api/circuits/${circuitId}/capacity-history?hours=24`,
      cookie: h.manager,
    });
    expect(chart.statusCode).toBe(200);
    expect((chart.json() as { points: unknown[] }).points.length).toBeLessThanOrEqual(1000);
    expect(chart.body.length).toBeLessThan(256 * 1024);
  });

  it('finished envelopes and old capacity history go after the retention horizon', async () => {
    const { id, group } = await h.handshaken();
    const { scopeId, circuitId } = h.ids;
    await forecastThroughTheRealPath(id, group, 20);
    await copyRecords(scopeId, circuitId, 3000);
    const open = await h.ctx.db
      .selectFrom('envelopes')
      .select('id')
      .where('status', 'in', ['SCHEDULED', 'ACTIVE'])
      .execute();

    h.ctx.clock.advance(31 * DAY);
    await h.ctx.app.microgrid.startRetention(h.ctx.clock.now());
    for (let round = 0; round < 5; round += 1) {
      await h.ctx.app.scheduler.runDue();
      h.ctx.clock.advance(1000);
    }
    // Only what is still open, or finished within the horizon (the due work that ran at the new
    // now may have withdrawn or replaced something), is left.
    const horizon = h.ctx.clock.now().getTime() - 30 * DAY;
    const left = await h.ctx.db
      .selectFrom('envelopes')
      .select(['status', 'ends_at', 'withdrawn_at'])
      .execute();
    const finishedLongAgo = left.filter(
      (e) =>
        (e.status === 'WITHDRAWN' || e.status === 'EXPIRED') &&
        Math.max(e.ends_at.getTime(), e.withdrawn_at?.getTime() ?? 0) < horizon,
    );
    expect(finishedLongAgo).toEqual([]);
    expect(left.length).toBeLessThanOrEqual(open.length + 4);
    // The newest change before the horizon stays: it says what was in force when history begins.
    const points = await count('capacity_history');
    expect(points).toBeGreaterThanOrEqual(1);
    expect(points).toBeLessThan(10);
  });
});
