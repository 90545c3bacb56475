import { randomUUID } from 'node:crypto';
import type { CapacityForecastType, ForecastedBlockUnit, PhaseIndicator } from '@openvelope/oscp';
import { alignDown, rollingForecast, zeroProtectiveForecast } from '@openvelope/sim';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CapacityHistory, CircuitDetail, EnvelopeView } from '../../microgrid/contract';
import { readBySubject, type StoredEvent } from '../../platform/events/event-store';
import type { RefusalView } from '../store/refusals';
import {
  settleUntil as settleUntilSettled,
  useAppWithSimulator,
  type AppWithSimulator,
} from '../../testing/app-with-simulator';
import type { ControlService } from '../app/control';
import type { ConnectionDetail } from '../contract';
import { tokenForPeerSecret } from '../domain/secret-names';

// Forecast intake over real HTTP from the Capacity Provider simulator: what an accepted forecast
// changes and when, replacement, types that are only shown, protective and rolling forecasts,
// and every way a forecast is refused (recorded, nothing changed).

let connectionId: string;
let peerId: string;
let groupId: string;

type ControlView = Awaited<ReturnType<ControlService['view']>>;

const START = '2026-03-02T09:00:00Z';
const at = (minutes: number) => new Date(Date.parse(START) + minutes * 60_000);
const iso = (minutes: number) => at(minutes).toISOString();
const STATIC_A = 160;
const SAFE_DEFAULT_A = 32;

// The shared set-up fills `env` in its hooks; these names read better in the tests below.
const env = useAppWithSimulator(START);
let { ctx, sim, baseUrl, ids, manager } = {} as AppWithSimulator;
beforeEach(() => {
  ({ ctx, sim, baseUrl, ids, manager } = env);
});

// --- helpers -------------------------------------------------------------------------------------

async function get<T>(url: string): Promise<T> {
  const response = await ctx.request({ method: 'GET', url, cookie: manager });
  expect(response.statusCode, `${url}: ${response.body}`).toBe(200);
  return response.json() as T;
}

const circuit = () => get<CircuitDetail>(`/api/circuits/${ids.circuitId}`);
const control = () => get<ControlView>(`/api/oscp-connections/${connectionId}/control`);
const phase = async () =>
  (await get<ConnectionDetail>(`/api/oscp-connections/${connectionId}`)).lifecycle.phase;
const envelopes = async (status: 'open' | 'all' = 'all') =>
  (
    await get<{ envelopes: EnvelopeView[] }>(
      `/api/circuits/${ids.circuitId}/envelopes?status=${status}`,
    )
  ).envelopes;

/** The refusal log (newest first): of the connection, or of no connection (`null`). */
async function refusals(of: string | null = connectionId) {
  const rows = await get<{ items: RefusalView[] }>(
    `/api/oscp-refusals?limit=200${of ? `&connectionId=${of}` : ''}`,
  );
  return rows.items.filter((r) => of !== null || r.connectionId === null);
}

async function audit(type: string, prefix = `oscp-connection-${connectionId}`) {
  return (await readBySubject(ctx.db, prefix, { limit: 200, offset: 0, types: [type] }))
    .events as StoredEvent[];
}

const settleUntil = <T>(check: () => Promise<T | undefined | false>, what: string) =>
  settleUntilSettled(ctx, check, what);

/** Heartbeat whose offline_mode_at is hours ahead: the peer stays ONLINE while the clock moves. */
async function keepOnline(hours = 48) {
  const outcome = await sim.sendHeartbeat(peerId, {
    intervalSeconds: hours * 1800,
    offlineMultiplier: 2,
  });
  expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: 'delivered' });
}

type Block = [from: number, to: number, capacity: number, unit?: string, phase?: string];
function send(type: CapacityForecastType, blocks: Block[]) {
  return sim.sendForecast(peerId, {
    type,
    blocks: blocks.map(([from, to, capacity, unit = 'A', phase = 'ALL']) => ({
      start: at(from),
      end: at(to),
      capacity,
      unit: unit as ForecastedBlockUnit,
      phase: phase as PhaseIndicator,
    })),
  });
}

async function delivered(outcome: Awaited<ReturnType<typeof send>>) {
  expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: 'delivered', httpStatus: 204 });
}

/** A connection to the simulator, brought to REGISTERED or on to ONLINE. */
async function connect(stage: 'REGISTERED' | 'ONLINE' = 'ONLINE') {
  groupId = `G${Math.floor(Math.random() * 1e9)}`;
  peerId = sim.addPeer({
    groupId,
    mode: 'OSCP_TOKEN',
    initialTokenForFp: `init-${groupId}`,
    heartbeatIntervalSeconds: 60,
  });
  await ctx.request({
    method: 'PUT',
    url: '/api/secrets/cp-initial',
    cookie: manager,
    body: { value: `init-${groupId}` },
  });
  const created = await ctx.request({
    method: 'POST',
    url: '/api/oscp-connections',
    cookie: manager,
    body: {
      preset: 'OSCP_STANDARD',
      displayName: 'Grid operator',
      groupId,
      microgridId: ids.microgridId,
      scopeId: ids.scopeId,
      peerBaseUrl: sim.oscpBaseUrl,
      authReferences: { initialToken: 'cp-initial' },
      safeDefaultCapacity: { value: SAFE_DEFAULT_A, unit: 'A' },
      enabled: true,
    },
  });
  expect(created.statusCode, created.body).toBe(201);
  connectionId = created.json().id;
  await settleUntil(async () => (await phase()) === 'REGISTERED', 'registered');
  if (stage === 'REGISTERED') return;
  await delivered(await sim.sendHandshake(peerId, { heartbeatIntervalSeconds: 60 }));
  await settleUntil(async () => (await phase()) === 'HANDSHAKEN', 'handshaken');
  await keepOnline();
  await settleUntil(async () => (await phase()) === 'ONLINE', 'online');
}

/** What a test means by "nothing changed": capacity, allocations, stored blocks and envelopes. */
async function snapshot() {
  const c = await circuit();
  const view = await control();
  return {
    capacity: c.effectiveCapacityA,
    source: c.source,
    capacityUpdatedAt: c.capacityUpdatedAt,
    allocations: c.chargers.map((ch) => [ch.name, ch.allocation?.currentA ?? null]),
    mode: view.mode,
    blocks: view.blocks,
    envelopes: (await envelopes()).map((e) => [e.id, e.role, e.status]),
  };
}

async function sendRaw(token: string, body: unknown, requestId = randomUUID()) {
  const response = await fetch(`${baseUrl}/oscp/fp/2.0/update_group_capacity_forecast`, {
    method: 'POST',
    headers: {
      authorization: token,
      'content-type': 'application/json',
      'x-request-id': requestId,
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as { message: string }) : null };
}

const forecastBody = (group: string, capacity = 10) => ({
  group_id: group,
  type: 'CONSUMPTION',
  forecasted_blocks: [{ capacity, unit: 'A', phase: 'ALL', start_time: iso(0), end_time: iso(60) }],
});

// --- tests ---------------------------------------------------------------------------------------

describe('an accepted forecast', () => {
  it('covering now changes effective capacity and allocations within the same request', async () => {
    await connect();
    const before = await circuit();
    expect(before.effectiveCapacityA).toBe(STATIC_A);
    expect(before.allocatedA.L1).toBeGreaterThan(40);

    await delivered(await send('CONSUMPTION', [[0, 60, 40]]));
    // No settle, no due work: the 204 came after capacity and allocations were committed.
    const after = await circuit();
    expect(after.effectiveCapacityA).toBe(40);
    expect(after.source).toMatchObject({
      kind: 'ENVELOPE',
      label: 'Envelope: OSCP forecast (Grid operator)',
      until: iso(60),
    });
    expect(after.source.fallbackReason).toBeUndefined();
    expect(after.capacityUpdatedAt).toBe(iso(0));
    for (const p of ['L1', 'L2', 'L3'] as const)
      expect(after.allocatedA[p]).toBeLessThanOrEqual(40);
    const charging = after.chargers.filter((ch) => ch.session);
    expect(charging).toHaveLength(7);
    for (const ch of charging) {
      expect(ch.allocation!.computedAt).toBe(iso(0));
      expect(ch.allocation!.currentA).toBeGreaterThan(0);
    }
    expect(
      charging.some(
        (ch) =>
          ch.allocation!.binding.kind === 'CAPACITY' &&
          ch.allocation!.binding.label.startsWith('Envelope: OSCP forecast (Grid operator)'),
      ),
    ).toBe(true);

    const open = await envelopes('open');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      role: 'LIMIT',
      status: 'ACTIVE',
      origin: {
        kind: 'ADAPTER',
        adapter: 'oscp',
        reference: { connectionId, groupId, mode: 'NORMAL' },
      },
      blocks: [{ start: iso(0), end: iso(60), importLimit: { value: 40, unit: 'A' } }],
    });
    const view = await control();
    expect(view.mode).toBe('NORMAL');
    expect(view.envelopeId).toBe(open[0]!.id);
    expect(view.lastForecast).toMatchObject({ outcome: 'ACCEPTED', type: 'CONSUMPTION' });
  });

  it('records its translation and binding in OscpForecastAccepted', async () => {
    await connect();
    const outcome = await send('CONSUMPTION', [
      [0, 15, 69, 'KW', 'ALL'],
      [15, 30, 23, 'KW', 'ONE'],
    ]);
    await delivered(outcome);
    const [accepted] = await audit('OscpForecastAccepted');
    expect(accepted!.data).toMatchObject({
      requestId: outcome.requestId,
      type: 'CONSUMPTION',
      role: 'PRIMARY',
      direction: 'IMPORT',
      enforced: true,
      binding: { groupId, microgridId: ids.microgridId, scopeId: ids.scopeId },
      span: { start: iso(0), end: iso(30) },
      replacedBlocks: 0,
      translation: [
        { index: 0, start: iso(0), end: iso(15), limit: { value: 69, unit: 'KW' } },
        { index: 1, start: iso(15), end: iso(30), limit: { value: 23, unit: 'KW_PER_PHASE' } },
      ],
    });
    // 69 kW over three phases at 230 V, then 23 kW on each phase at 230 V: 100 A per phase both.
    expect((await circuit()).effectiveCapacityA).toBe(100);
    ctx.clock.set(at(15));
    await ctx.app.settle();
    const next = await circuit();
    expect(next.effectiveCapacityA).toBe(100);
    expect(next.source.until).toBe(iso(30));
  });

  it('a replacement limit steps straight from the old limit to the new one, never through the static capacity', async () => {
    await connect();
    await delivered(await send('CONSUMPTION', [[0, 60, 100]]));
    const pointsAt = async (minute: number) =>
      (await get<CapacityHistory>(`/api/circuits/${ids.circuitId}/capacity-history?hours=1`)).points
        .filter((p) => p.at === iso(minute))
        .map((p): [number, string] => [p.effectiveCapacityA, p.category]);

    ctx.clock.set(at(5));
    await delivered(await send('CONSUMPTION', [[5, 60, 90]])); // lower
    ctx.clock.set(at(10));
    await delivered(await send('CONSUMPTION', [[10, 60, 120]])); // higher
    expect((await circuit()).effectiveCapacityA).toBe(120);

    for (const [minute, amps] of [
      [5, 90],
      [10, 120],
    ] as const) {
      const points = await pointsAt(minute);
      // The last point of the instant is the new limit; none is the 160 A static capacity.
      expect(points.at(-1)).toEqual([amps, 'NORMAL']);
      expect(points.filter(([a, category]) => a === STATIC_A || category === 'STATIC')).toEqual([]);
    }
  });
});

describe('a forecast starting in the future', () => {
  it('as the first forecast changes nothing until its start, then applies at the boundary', async () => {
    await connect();
    const before = await snapshot();
    await delivered(await send('CONSUMPTION', [[30, 90, 50]]));

    const now = await snapshot();
    expect(now.capacity).toBe(STATIC_A);
    expect(now.source).toEqual(before.source);
    expect(now.allocations).toEqual(before.allocations);
    expect(now.mode).toBe('LOCAL');
    expect(now.blocks.primary).toMatchObject([{ start: iso(30), end: iso(90) }]);
    expect(await envelopes('open')).toEqual([]);

    ctx.clock.set(at(29));
    await ctx.app.settle();
    expect((await circuit()).effectiveCapacityA).toBe(STATIC_A);

    ctx.clock.set(at(30));
    // Reaching the start changes nothing by itself: the due work at the boundary does.
    expect((await circuit()).effectiveCapacityA).toBe(STATIC_A);
    await ctx.app.settle();
    const applied = await circuit();
    expect(applied.effectiveCapacityA).toBe(50);
    expect(applied.capacityUpdatedAt).toBe(iso(30));
    expect((await control()).mode).toBe('NORMAL');
  });

  it('next to a forecast in force changes nothing now, and takes over at its start', async () => {
    await connect();
    await delivered(await send('CONSUMPTION', [[0, 30, 100]]));
    const before = await snapshot();
    await delivered(await send('CONSUMPTION', [[30, 90, 50]]));

    const now = await snapshot();
    expect(now.capacity).toBe(100);
    expect(now.allocations).toEqual(before.allocations);
    expect(now.capacityUpdatedAt).toBe(before.capacityUpdatedAt);
    expect(now.blocks.primary.map((b) => [b.start, b.end, b.limit.value])).toEqual([
      [iso(0), iso(30), 100],
      [iso(30), iso(90), 50],
    ]);

    ctx.clock.set(at(30));
    expect((await circuit()).effectiveCapacityA).toBe(100);
    await ctx.app.settle();
    expect((await circuit()).effectiveCapacityA).toBe(50);
    expect((await control()).mode).toBe('NORMAL');
  });
});

describe('replacement over HTTP', () => {
  it('a second CONSUMPTION forecast replaces exactly the time its span covers (ADR 0026)', async () => {
    await connect();
    await delivered(
      await send('CONSUMPTION', [
        [0, 60, 100],
        [60, 120, 90],
        [120, 180, 80],
        [180, 240, 70],
      ]),
    );
    await delivered(await send('FALLBACK_CONSUMPTION', [[0, 240, 40]]));
    const second = await send('CONSUMPTION', [
      [60, 90, 50],
      [90, 150, 45],
    ]);
    await delivered(second);

    const view = await control();
    expect(view.blocks.primary.map((b) => [b.start, b.end, b.limit.value])).toEqual([
      [iso(0), iso(60), 100],
      [iso(60), iso(90), 50],
      [iso(90), iso(150), 45],
      [iso(150), iso(180), 80],
      [iso(180), iso(240), 70],
    ]);
    expect(view.blocks.primary[1]!.requestId).toBe(second.requestId);
    // Another type is never replaced by a CONSUMPTION forecast.
    expect(view.blocks.fallback.map((b) => [b.type, b.start, b.end, b.limit.value])).toEqual([
      ['FALLBACK_CONSUMPTION', iso(0), iso(240), 40],
    ]);
    const accepted = await audit('OscpForecastAccepted');
    expect(accepted[0]!.data).toMatchObject({
      requestId: second.requestId,
      span: { start: iso(60), end: iso(150) },
      // 60–120 lies inside the span; 120–180 reaches into it and keeps its tail 150–180.
      replacedBlocks: 2,
    });

    const expected: [minute: number, amps: number, mode: string][] = [
      [0, 100, 'NORMAL'],
      [75, 50, 'NORMAL'],
      [120, 45, 'NORMAL'], // was 80 before the replacement
      [160, 80, 'NORMAL'], // the tail of 120–180 beyond the new span stays in force
      [200, 70, 'NORMAL'], // outside the new span: kept
    ];
    for (const [minute, amps, mode] of expected) {
      ctx.clock.set(at(minute));
      await ctx.app.settle();
      expect([minute, (await circuit()).effectiveCapacityA, (await control()).mode]).toEqual([
        minute,
        amps,
        mode,
      ]);
    }
  });
});

describe('types that are stored and shown but never limit', () => {
  it('OPTIMUM and GENERATION alone start no control and change no capacity', async () => {
    await connect();
    const before = await snapshot();
    await delivered(await send('OPTIMUM', [[0, 60, 20]]));
    await delivered(await send('GENERATION', [[0, 60, 10, 'KW', 'ALL']]));
    await delivered(await send('FALLBACK_GENERATION', [[0, 60, 5, 'KW', 'ALL']]));

    const after = await snapshot();
    expect(after.capacity).toBe(STATIC_A);
    expect(after.allocations).toEqual(before.allocations);
    expect(after.mode).toBe('LOCAL');
    expect(after.envelopes).toEqual([]);
    expect(after.blocks.optimum).toMatchObject([
      {
        type: 'OPTIMUM',
        start: iso(0),
        end: iso(60),
        limit: { value: 20, unit: 'A' },
        wire: { capacity: 20, unit: 'A', phase: 'ALL' },
      },
    ]);
    expect(after.blocks.generation).toMatchObject([
      { type: 'GENERATION', limit: { value: 10, unit: 'KW' } },
    ]);
    expect(after.blocks.fallback).toMatchObject([
      { type: 'FALLBACK_GENERATION', limit: { value: 5, unit: 'KW' } },
    ]);
    expect(after.blocks.primary).toEqual([]);
    const accepted = await audit('OscpForecastAccepted');
    expect(accepted.map((e) => [e.data.type, e.data.enforced])).toEqual([
      ['FALLBACK_GENERATION', false],
      ['GENERATION', false],
      ['OPTIMUM', false],
    ]);
  });

  it('OPTIMUM and GENERATION below a CONSUMPTION limit leave that limit in force', async () => {
    await connect();
    await delivered(await send('CONSUMPTION', [[0, 60, 100]]));
    const before = await snapshot();
    await delivered(await send('OPTIMUM', [[0, 60, 20]]));
    await delivered(await send('GENERATION', [[0, 60, 5]]));

    const after = await snapshot();
    expect(after.capacity).toBe(100);
    expect(after.mode).toBe('NORMAL');
    expect(after.allocations).toEqual(before.allocations);
    expect(after.envelopes).toEqual(before.envelopes);
    expect(after.blocks.primary).toEqual(before.blocks.primary);
    expect(after.blocks.optimum).toHaveLength(1);
    expect(after.blocks.generation).toHaveLength(1);
    expect((await control()).lastForecast).toMatchObject({
      type: 'GENERATION',
      outcome: 'ACCEPTED',
    });

    ctx.clock.set(at(30));
    await ctx.app.settle();
    expect((await circuit()).effectiveCapacityA).toBe(100);
  });
});

describe('Vector-style forecasts', () => {
  it('an all-zero protective forecast stops all charging until normal forecasts return', async () => {
    await connect();
    const zero = zeroProtectiveForecast({ from: alignDown(ctx.clock.now(), 15) });
    expect(zero.blocks).toHaveLength(96);
    await delivered(await sim.sendForecast(peerId, zero));

    const stopped = await circuit();
    expect(stopped.effectiveCapacityA).toBe(0);
    expect(stopped.source.label).toBe('Envelope: OSCP forecast (Grid operator)');
    // A protective forecast is a forecast in force, not a fallback.
    expect(stopped.source.fallbackReason).toBeUndefined();
    expect((await control()).mode).toBe('NORMAL');
    const charging = stopped.chargers.filter((ch) => ch.session);
    expect(charging).toHaveLength(7);
    for (const ch of charging) {
      expect(ch.allocation).toMatchObject({ currentA: 0, binding: { kind: 'PAUSED' } });
    }
    expect(Object.values(stopped.allocatedA)).toEqual([0, 0, 0]);

    // Still stopped a quarter later (the zero horizon goes on).
    ctx.clock.set(at(15));
    await ctx.app.settle();
    expect((await circuit()).effectiveCapacityA).toBe(0);

    await delivered(
      await sim.sendForecast(
        peerId,
        rollingForecast({ from: alignDown(ctx.clock.now(), 15), capacity: 69, unit: 'KW' }),
      ),
    );
    const resumed = await circuit();
    expect(resumed.effectiveCapacityA).toBe(100);
    for (const ch of resumed.chargers.filter((c) => c.session)) {
      expect(ch.allocation!.currentA).toBeGreaterThan(0);
      expect(ch.allocation!.binding.kind).not.toBe('PAUSED');
    }
  });

  it('a 96-block 24 h forecast in 15-minute blocks is followed block by block', async () => {
    await connect();
    const forecast = rollingForecast({
      from: at(0),
      capacity: (_start, i) => 50 + i,
      unit: 'A',
    });
    expect(forecast.blocks).toHaveLength(96);
    await delivered(await sim.sendForecast(peerId, forecast));

    const view = await control();
    expect(view.blocks.primary).toHaveLength(96);
    expect(view.blocks.primary[0]).toMatchObject({ start: iso(0), end: iso(15) });
    expect(view.blocks.primary[95]).toMatchObject({ start: iso(1425), end: iso(1440) });
    expect((await circuit()).effectiveCapacityA).toBe(50);

    for (const k of [1, 2, 3]) {
      ctx.clock.set(at(15 * k));
      // The boundary is crossed by the due work, not by reading.
      expect((await circuit()).effectiveCapacityA).toBe(50 + k - 1);
      await ctx.app.settle();
      const detail = await circuit();
      expect(detail.effectiveCapacityA).toBe(50 + k);
      expect(detail.source.until).toBe(iso(15 * (k + 1)));
      expect((await control()).mode).toBe('NORMAL');
      // One LIMIT envelope at a time, however often it is renewed.
      expect((await envelopes('open')).filter((e) => e.role === 'LIMIT')).toHaveLength(1);
    }
  });
});

describe('refused forecasts', () => {
  const cases: [name: string, blocks: Block[], message: string][] = [
    [
      'KWH',
      [
        [0, 30, 50],
        [30, 60, 50, 'KWH'],
      ],
      'forecasted_blocks[1]: unit KWH is energy, not a capacity limit (use A, W or KW)',
    ],
    [
      'WH',
      [[0, 30, 50, 'WH']],
      'forecasted_blocks[0]: unit WH is energy, not a capacity limit (use A, W or KW)',
    ],
    [
      'overlap',
      [
        [0, 60, 50],
        [30, 90, 40],
      ],
      'forecasted_blocks[1]: overlaps forecasted_blocks[0]',
    ],
  ];

  it.each(cases)(
    '%s → 400 naming the block, audited, nothing changed',
    async (_n, blocks, message) => {
      await connect();
      await delivered(await send('CONSUMPTION', [[0, 120, 100]]));
      const before = await snapshot();

      const outcome = await send('CONSUMPTION', blocks);
      expect(outcome).toMatchObject({ status: 'rejected', httpStatus: 400, message });

      const [rejected] = await audit('OscpForecastRejected');
      expect(rejected!.streamId).toBe(`oscp-connection-${connectionId}-audit`);
      expect(rejected!.data).toMatchObject({
        connectionId,
        requestId: outcome.requestId,
        type: 'CONSUMPTION',
        reason: message,
        binding: { groupId, microgridId: ids.microgridId, scopeId: ids.scopeId },
      });
      const [refused] = await refusals();
      expect(refused).toMatchObject({
        endpoint: 'update_group_capacity_forecast',
        status: 400,
        reason: message,
        requestId: outcome.requestId,
      });

      expect(await snapshot()).toEqual(before);
      const view = await control();
      expect(view.lastForecast).toMatchObject({
        requestId: outcome.requestId,
        type: 'CONSUMPTION',
        outcome: 'REJECTED',
        reason: message,
      });
      expect(await audit('OscpForecastAccepted')).toHaveLength(1);
    },
  );

  it('a block ending before it starts → 400 from the message schema naming the block, nothing changed', async () => {
    await connect();
    await delivered(await send('CONSUMPTION', [[0, 120, 100]]));
    const before = await snapshot();
    const token = await ctx.app.secrets.reveal(ctx.db, tokenForPeerSecret(connectionId));
    const body = forecastBody(groupId);
    body.forecasted_blocks.push({
      capacity: 40,
      unit: 'A',
      phase: 'ALL',
      start_time: iso(90),
      end_time: iso(75),
    });
    const requestId = randomUUID();
    const answer = await sendRaw(`Token ${token}`, body, requestId);
    expect(answer.status).toBe(400);
    expect(answer.body!.message).toContain('forecasted_blocks[1].end_time');
    const [refused] = await refusals();
    expect(refused).toMatchObject({ status: 400, requestId, reason: answer.body!.message });
    expect(await snapshot()).toEqual(before);
  });

  it('a rejected first forecast does not start OSCP control', async () => {
    await connect();
    const outcome = await send('CONSUMPTION', [[0, 60, 50, 'KWH']]);
    expect(outcome).toMatchObject({ status: 'rejected', httpStatus: 400 });
    const view = await control();
    expect(view.mode).toBe('LOCAL');
    expect(view.lastForecast).toMatchObject({ outcome: 'REJECTED' });
    // Time passing does not bring a gap policy either.
    ctx.clock.set(at(90));
    await keepOnline();
    await ctx.app.settle();
    expect((await circuit()).effectiveCapacityA).toBe(STATIC_A);
    expect((await control()).mode).toBe('LOCAL');
  });

  it('a group_id not bound to the connection → 403, audited, nothing changed', async () => {
    await connect();
    // Another enabled connection holds the other group, on a scope of its own.
    const other = `H${Math.floor(Math.random() * 1e9)}`;
    const circuitB = await ctx.request({
      method: 'POST',
      url: `/api/microgrids/${ids.microgridId}/circuits`,
      cookie: manager,
      body: { name: 'Workshop board', phaseCount: 3, staticCapacityA: 63 },
    });
    const scopeB = await ctx.request({
      method: 'POST',
      url: `/api/microgrids/${ids.microgridId}/scopes`,
      cookie: manager,
      body: { name: 'Workshop', circuitIds: [circuitB.json().id] },
    });
    const connectionB = await ctx.request({
      method: 'POST',
      url: '/api/oscp-connections',
      cookie: manager,
      body: {
        preset: 'OSCP_STANDARD',
        displayName: 'Other operator',
        groupId: other,
        microgridId: ids.microgridId,
        scopeId: scopeB.json().id,
        peerBaseUrl: sim.oscpBaseUrl,
        authReferences: { initialToken: 'cp-initial' },
        enabled: true,
      },
    });
    expect(connectionB.statusCode, connectionB.body).toBe(201);
    const before = await snapshot();

    const token = await ctx.app.secrets.reveal(ctx.db, tokenForPeerSecret(connectionId));
    const requestId = randomUUID();
    const answer = await sendRaw(`Token ${token}`, forecastBody(other), requestId);
    expect(answer).toEqual({
      status: 403,
      body: { message: `group_id ${other} is not bound to this connection.` },
    });

    const [refused] = await refusals();
    expect(refused).toMatchObject({
      connectionId,
      endpoint: 'update_group_capacity_forecast',
      status: 403,
      reason: `group_id ${other} is not bound to this connection.`,
      requestId,
      authorizationScheme: 'Token',
    });
    expect(await snapshot()).toEqual(before);
    expect(await audit('OscpForecastAccepted', `oscp-connection-${connectionB.json().id}`)).toEqual(
      [],
    );
    const otherControl = await get<ControlView>(
      `/api/oscp-connections/${connectionB.json().id}/control`,
    );
    expect(otherControl.blocks.primary).toEqual([]);
    // The same token with its own group is accepted.
    expect((await sendRaw(`Token ${token}`, forecastBody(groupId, 60))).status).toBe(204);
    expect((await circuit()).effectiveCapacityA).toBe(60);
  });

  it('a disabled connection → 403 for its peer and for a manager acting on it, each reason audited', async () => {
    await connect();
    await delivered(await send('CONSUMPTION', [[0, 60, 100]]));
    const disabled = await ctx.request({
      method: 'POST',
      url: `/api/oscp-connections/${connectionId}/disable`,
      cookie: manager,
    });
    expect(disabled.statusCode, disabled.body).toBe(200);
    expect(await phase()).toBe('DISABLED');
    const before = await snapshot();
    expect(before.capacity).toBe(STATIC_A);

    // The peer's token went with the disable.
    const outcome = await send('CONSUMPTION', [[0, 60, 20]]);
    expect(outcome).toMatchObject({
      status: 'rejected',
      httpStatus: 403,
      message: 'Unknown, revoked or expired token.',
    });
    const [unattributed] = await refusals(null);
    expect(unattributed).toMatchObject({
      connectionId: null,
      endpoint: 'update_group_capacity_forecast',
      status: 403,
      reason: 'Unknown, revoked or expired token.',
      requestId: outcome.requestId,
    });

    // A manager's API token still authenticates, and meets the disabled connection.
    const issued = await ctx.request({
      method: 'POST',
      url: '/api/auth/tokens',
      cookie: manager,
      body: { name: 'oscp tester' },
    });
    expect(issued.statusCode, issued.body).toBe(201);
    const requestId = randomUUID();
    const answer = await sendRaw(
      `Bearer ${issued.json().token}`,
      forecastBody(groupId, 20),
      requestId,
    );
    expect(answer).toEqual({ status: 403, body: { message: 'This connection is disabled.' } });
    const [refused] = await refusals();
    expect(refused).toMatchObject({
      connectionId,
      status: 403,
      reason: 'This connection is disabled.',
      requestId,
      authorizationScheme: 'Bearer',
    });
    expect(await snapshot()).toEqual(before);
  });

  it('a connection not yet handshaken → 403 naming its phase, audited, nothing stored', async () => {
    await connect('REGISTERED');
    const before = await snapshot();
    const outcome = await send('CONSUMPTION', [[0, 60, 20]]);
    const reason =
      'Complete the handshake before business messages (this connection is REGISTERED).';
    expect(outcome).toMatchObject({ status: 'rejected', httpStatus: 403, message: reason });
    const [refused] = await refusals();
    expect(refused).toMatchObject({
      connectionId,
      endpoint: 'update_group_capacity_forecast',
      status: 403,
      reason,
      requestId: outcome.requestId,
    });
    expect(await snapshot()).toEqual(before);
    expect((await control()).lastForecast).toBeNull();
    expect(await audit('OscpForecastAccepted')).toEqual([]);
    expect(await audit('OscpForecastRejected')).toEqual([]);
  });
});
