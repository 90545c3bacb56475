import type { CapacityForecastType } from '@openvelope/oscp';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CapacityHistory, CircuitDetail, EnvelopeView } from '../../microgrid/contract';
import type { IncidentRow, NotificationRow } from '../../notifications/store/notification-store';
import { readBySubject, type StoredEvent } from '../../platform/events/event-store';
import {
  settleUntil as settleUntilSettled,
  useAppWithSimulator,
  type AppWithSimulator,
} from '../../testing/app-with-simulator';
import type { ControlService } from '../app/control';
import type { ConnectionDetail } from '../contract';

// Fallback and gap handling over real HTTP with the Capacity Provider simulator: which limit
// applies when the peer is offline or no forecast covers now, how it is shown and recorded
// (notification, incident, audit), the STANDBY coverage, and handing control back on disconnect.

let connectionId: string;
let peerId: string;
let groupId: string;

type ControlView = Awaited<ReturnType<ControlService['view']>>;
interface Timeline {
  total: number;
  items: { position: number; type: string; at: string; data: Record<string, unknown> }[];
}

const START = '2026-03-02T09:00:00Z';
const at = (minutes: number) => new Date(Date.parse(START) + minutes * 60_000);
const iso = (minutes: number) => at(minutes).toISOString();
const STATIC_A = 160;

// The shared set-up fills `env` in its hooks; these names read better in the tests below.
const env = useAppWithSimulator(START);
let { ctx, sim, ids, manager } = {} as AppWithSimulator;
beforeEach(() => {
  ({ ctx, sim, ids, manager } = env);
});

// --- helpers -------------------------------------------------------------------------------------

async function get<T>(url: string): Promise<T> {
  const response = await ctx.request({ method: 'GET', url, cookie: manager });
  expect(response.statusCode, `${url}: ${response.body}`).toBe(200);
  return response.json() as T;
}
async function post(url: string, body?: unknown) {
  return ctx.request({ method: 'POST', url, cookie: manager, ...(body ? { body } : {}) });
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
const incidents = async (status?: 'OPEN' | 'RESOLVED') =>
  (await get<{ items: IncidentRow[] }>(`/api/incidents${status ? `?status=${status}` : ''}`)).items;
const notifications = async () =>
  (await get<{ items: NotificationRow[] }>('/api/notifications')).items;

async function audit(type: string): Promise<StoredEvent[]> {
  return (
    await readBySubject(ctx.db, `oscp-connection-${connectionId}`, {
      limit: 200,
      offset: 0,
      types: [type],
    })
  ).events;
}

const settleUntil = <T>(check: () => Promise<T | undefined | false>, what: string) =>
  settleUntilSettled(ctx, check, what);

/** offline_mode_at one minute ahead (the simulator's 2 × 30 s). */
const heartbeat = () => beat(30);
/** offline_mode_at two days ahead: the peer stays ONLINE while the clock moves. */
const keepOnline = () => beat(86_400);
async function beat(intervalSeconds: number) {
  const outcome = await sim.sendHeartbeat(peerId, { intervalSeconds, offlineMultiplier: 2 });
  expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: 'delivered' });
}

function send(type: CapacityForecastType, blocks: [from: number, to: number, amps: number][]) {
  return sim.sendForecast(peerId, {
    type,
    blocks: blocks.map(([from, to, capacity]) => ({
      start: at(from),
      end: at(to),
      capacity,
      unit: 'A',
      phase: 'ALL',
    })),
  });
}
async function delivered(outcome: Awaited<ReturnType<typeof send>>) {
  expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: 'delivered', httpStatus: 204 });
}

/** Lets the peer's offline_mode_at pass and the liveness check run. */
async function goOffline() {
  ctx.clock.advance(61_000);
  await settleUntil(async () => (await phase()) === 'OFFLINE', 'offline');
}

interface ConnectOptions {
  profile?: Record<string, unknown>;
  /** Who starts the handshake (the Vector profile: the Flexibility Provider). */
  handshakeBy?: 'CAPACITY_PROVIDER' | 'FLEXIBILITY_PROVIDER';
}

/** Adds a simulator peer for a new group and returns its id. */
function addPeer(group: string) {
  return sim.addPeer({
    groupId: group,
    mode: 'OSCP_TOKEN',
    initialTokenForFp: `init-${group}`,
    heartbeatIntervalSeconds: 60,
  });
}

/** A connection to the simulator, ONLINE. */
async function connect({ profile = {}, handshakeBy = 'CAPACITY_PROVIDER' }: ConnectOptions = {}) {
  groupId = `G${Math.floor(Math.random() * 1e9)}`;
  peerId = addPeer(groupId);
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
      safeDefaultCapacity: { value: 32, unit: 'A' },
      handshakeInitiator: handshakeBy,
      ...profile,
      enabled: true,
    },
  });
  expect(created.statusCode, created.body).toBe(201);
  connectionId = created.json().id;
  if (handshakeBy === 'CAPACITY_PROVIDER') {
    await settleUntil(async () => (await phase()) === 'REGISTERED', 'registered');
    await delivered(await sim.sendHandshake(peerId, { heartbeatIntervalSeconds: 60 }));
  }
  // FLEXIBILITY_PROVIDER: our Handshake follows registration; the simulator acknowledges it.
  await settleUntil(async () => (await phase()) === 'HANDSHAKEN', 'handshaken');
  await heartbeat();
  await settleUntil(async () => (await phase()) === 'ONLINE', 'online');
}

/** Normal operation at 120 A with 40 A of fallback coverage, both for four hours. */
async function normalWithFallback() {
  await delivered(await send('CONSUMPTION', [[0, 240, 120]]));
  await delivered(await send('FALLBACK_CONSUMPTION', [[0, 240, 40]]));
  expect((await circuit()).effectiveCapacityA).toBe(120);
  expect(await control()).toMatchObject({ mode: 'NORMAL', limit: { value: 120, unit: 'A' } });
}

// --- tests ---------------------------------------------------------------------------------------

describe('offline with fallback coverage', () => {
  it('applies the fallback limit in yellow, with a WARNING and an OPEN incident; recovery resolves it', async () => {
    await connect();
    await normalWithFallback();
    await goOffline();
    const offlineAt = ctx.clock.now().toISOString();

    const detail = await circuit();
    expect(detail.effectiveCapacityA).toBe(40);
    expect(detail.source.label).toBe('Envelope: OSCP fallback forecast (Grid operator)');
    expect(detail.source.fallbackReason).toBe(
      'the Capacity Provider is offline; its fallback forecast applies',
    );
    const limit = (await envelopes('open')).filter((e) => e.role === 'LIMIT');
    expect(limit).toHaveLength(1);
    expect(limit[0]).toMatchObject({
      origin: {
        reference: { connectionId, groupId, mode: 'FALLBACK_OFFLINE' },
        fallbackReason: detail.source.fallbackReason,
      },
      blocks: [{ start: iso(0), end: iso(240), importLimit: { value: 40, unit: 'A' } }],
    });

    const view = await control();
    expect(view).toMatchObject({
      mode: 'FALLBACK_OFFLINE',
      fallback: true,
      modeSince: offlineAt,
      limit: { value: 40, unit: 'A' },
    });
    const [entered] = await notifications();
    expect(entered).toMatchObject({
      kind: 'FALLBACK_ENTERED',
      severity: 'WARNING',
      title: 'Fallback mode: Grid operator',
      message: 'the Capacity Provider is offline; its fallback forecast applies',
      context: { connectionId, scopeId: ids.scopeId, groupId, mode: 'FALLBACK_OFFLINE' },
      acknowledgedAt: null,
    });
    const open = await incidents('OPEN');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      id: view.incidentId,
      kind: 'OSCP_FALLBACK',
      status: 'OPEN',
      openedAt: offlineAt,
      context: {
        connectionId,
        scopeId: ids.scopeId,
        microgridId: ids.microgridId,
        groupId,
        mode: 'FALLBACK_OFFLINE',
      },
    });
    const [changed] = await audit('OscpModeChanged');
    expect(changed!.data).toMatchObject({
      from: 'NORMAL',
      to: 'FALLBACK_OFFLINE',
      trigger: 'connection OFFLINE',
      limit: { value: 40, unit: 'A' },
      envelopeId: limit[0]!.id,
    });
    expect((await audit('OscpFallbackEntered'))[0]!.data).toMatchObject({
      mode: 'FALLBACK_OFFLINE',
      scopeId: ids.scopeId,
      limit: { value: 40, unit: 'A' },
    });

    ctx.clock.advance(120_000);
    await heartbeat();
    await settleUntil(async () => (await phase()) === 'ONLINE', 'online again');
    const back = await circuit();
    expect(back.effectiveCapacityA).toBe(120);
    expect(back.source.fallbackReason).toBeUndefined();
    expect(await control()).toMatchObject({ mode: 'NORMAL', fallback: false, incidentId: null });
    expect(await incidents('OPEN')).toEqual([]);
    const [resolved] = await incidents('RESOLVED');
    expect(resolved).toMatchObject({
      id: open[0]!.id,
      status: 'RESOLVED',
      resolvedAt: ctx.clock.now().toISOString(),
      resolution: 'Recovered: capacity forecast in force',
    });
    const exited = await audit('OscpFallbackExited');
    expect(exited).toHaveLength(1);
    expect(exited[0]!.data).toMatchObject({
      connectionId,
      mode: 'NORMAL',
      since: offlineAt,
      scopeId: ids.scopeId,
    });
    expect((await notifications()).map((n) => [n.kind, n.severity])).toEqual([
      ['FALLBACK_EXITED', 'INFO'],
      ['FALLBACK_ENTERED', 'WARNING'],
    ]);
  });

  it('with a profile that needs a new handshake after offline (Vector-like), stays in fallback until it succeeds', async () => {
    await connect({
      profile: { preset: 'CUSTOM', rehandshakeAfterOffline: true },
      handshakeBy: 'FLEXIBILITY_PROVIDER',
    });
    await normalWithFallback();
    await goOffline();
    expect((await control()).mode).toBe('FALLBACK_OFFLINE');
    const handshakesBefore = (await audit('OscpHandshakeSent')).length;

    // The peer is back, but a heartbeat is not enough: we start a new handshake.
    await heartbeat();
    expect(await phase()).toBe('OFFLINE');
    expect((await circuit()).effectiveCapacityA).toBe(40);
    expect((await control()).mode).toBe('FALLBACK_OFFLINE');
    expect(await incidents('OPEN')).toHaveLength(1);
    expect(await audit('OscpHandshakeSent')).toHaveLength(handshakesBefore + 1);
    // Business messages wait for the handshake too.
    const early = await send('CONSUMPTION', [[0, 240, 150]]);
    expect(early).toMatchObject({
      status: 'rejected',
      httpStatus: 403,
      message: 'Complete the handshake before business messages (this connection is OFFLINE).',
    });

    await settleUntil(async () => (await phase()) === 'HANDSHAKEN', 'handshaken again');
    expect((await circuit()).effectiveCapacityA).toBe(120);
    expect(await control()).toMatchObject({ mode: 'NORMAL', fallback: false });
    expect(await incidents('OPEN')).toEqual([]);
    expect(await incidents('RESOLVED')).toHaveLength(1);
    const [changed] = await audit('OscpModeChanged');
    expect(changed!.data).toMatchObject({
      from: 'FALLBACK_OFFLINE',
      to: 'NORMAL',
      trigger: 'connection HANDSHAKEN',
    });
    expect(await audit('OscpFallbackExited')).toHaveLength(1);
  });

  it('offline without a fallback block applies the gap policy', async () => {
    await connect();
    await delivered(await send('CONSUMPTION', [[0, 240, 120]]));
    await goOffline();
    const detail = await circuit();
    expect(detail.effectiveCapacityA).toBe(32);
    const reason =
      'the Capacity Provider is offline and no fallback forecast covers now; gap policy SAFE_DEFAULT_CAPACITY: 32 A per phase';
    expect(detail.source.fallbackReason).toBe(reason);
    expect(await control()).toMatchObject({
      mode: 'GAP_POLICY',
      fallback: true,
      reason,
      limit: { value: 32, unit: 'A' },
    });
    expect((await audit('OscpGapPolicyApplied'))[0]!.data).toMatchObject({
      policy: 'SAFE_DEFAULT_CAPACITY',
      limit: { value: 32, unit: 'A' },
      reason,
      scopeId: ids.scopeId,
    });
    expect(await incidents('OPEN')).toHaveLength(1);
  });
});

describe('healthy, but no primary block covers now', () => {
  it('with a fallback block: FALLBACK_GAP, until a CONSUMPTION forecast covers now again', async () => {
    await connect();
    await keepOnline();
    await delivered(await send('CONSUMPTION', [[0, 30, 100]]));
    await delivered(await send('FALLBACK_CONSUMPTION', [[0, 120, 40]]));
    expect((await circuit()).effectiveCapacityA).toBe(100);

    ctx.clock.set(at(30));
    await ctx.app.settle();
    expect(await phase()).toBe('ONLINE');
    const detail = await circuit();
    expect(detail.effectiveCapacityA).toBe(40);
    const reason = 'no capacity forecast covers now; the fallback forecast applies';
    expect(detail.source.fallbackReason).toBe(reason);
    expect(await control()).toMatchObject({ mode: 'FALLBACK_GAP', fallback: true, reason });
    expect((await notifications())[0]).toMatchObject({
      kind: 'FALLBACK_ENTERED',
      severity: 'WARNING',
      context: { connectionId, scopeId: ids.scopeId, mode: 'FALLBACK_GAP' },
    });
    expect(await incidents('OPEN')).toHaveLength(1);
    expect((await audit('OscpModeChanged'))[0]!.data).toMatchObject({
      from: 'NORMAL',
      to: 'FALLBACK_GAP',
      trigger: 'block boundary',
    });

    ctx.clock.set(at(35));
    await delivered(await send('CONSUMPTION', [[35, 90, 110]]));
    expect((await circuit()).effectiveCapacityA).toBe(110);
    expect((await control()).mode).toBe('NORMAL');
    expect(await incidents('OPEN')).toEqual([]);
  });

  const policies = [
    {
      name: 'SAFE_DEFAULT_CAPACITY in A',
      profile: {
        gapPolicy: 'SAFE_DEFAULT_CAPACITY',
        safeDefaultCapacity: { value: 32, unit: 'A' },
      },
      amps: 32,
      limit: { value: 32, unit: 'A' },
      reason: 'no capacity forecast covers now; gap policy SAFE_DEFAULT_CAPACITY: 32 A per phase',
    },
    {
      name: 'SAFE_DEFAULT_CAPACITY in kW',
      profile: {
        gapPolicy: 'SAFE_DEFAULT_CAPACITY',
        safeDefaultCapacity: { value: 11.5, unit: 'KW' },
      },
      // 11.5 kW over three phases at 230 V = 16.67 A per phase, rounded down to 0.1 A.
      amps: 16.6,
      limit: { value: 11.5, unit: 'KW' },
      reason: 'no capacity forecast covers now; gap policy SAFE_DEFAULT_CAPACITY: 11.5 kW',
    },
    {
      name: 'LOCAL_CONTROL',
      profile: { gapPolicy: 'LOCAL_CONTROL' },
      amps: STATIC_A,
      limit: null,
      reason:
        "no capacity forecast covers now; gap policy LOCAL_CONTROL: the circuit's own capacity applies",
    },
  ];

  it.each(policies)(
    'with neither: GAP_POLICY with $name',
    async ({ profile, amps, limit, reason }) => {
      await connect({ profile });
      await keepOnline();
      await delivered(await send('CONSUMPTION', [[0, 30, 100]]));
      await delivered(await send('CONSUMPTION', [[90, 120, 100]]));
      ctx.clock.set(at(30));
      await ctx.app.settle();

      const detail = await circuit();
      expect(detail.effectiveCapacityA).toBe(amps);
      expect(await control()).toMatchObject({ mode: 'GAP_POLICY', fallback: true, reason, limit });
      const open = (await envelopes('open')).filter((e) => e.role === 'LIMIT');
      if (limit) {
        expect(detail.source).toMatchObject({
          kind: 'ENVELOPE',
          label: 'Envelope: OSCP gap policy: safe default (Grid operator)',
          fallbackReason: reason,
        });
        // Until the next CONSUMPTION block starts.
        expect(open).toHaveLength(1);
        expect(open[0]).toMatchObject({
          origin: { reference: { mode: 'GAP_POLICY' } },
          blocks: [{ start: iso(30), end: iso(90), importLimit: limit }],
        });
      } else {
        // Local control: the circuit's own capacity, no OSCP envelope; the mode still says why.
        expect(detail.source).toEqual({ kind: 'STATIC', label: 'Static circuit limit' });
        expect(open).toEqual([]);
      }
      expect((await audit('OscpGapPolicyApplied'))[0]!.data).toMatchObject({
        connectionId,
        policy: profile.gapPolicy,
        limit,
        reason,
        scopeId: ids.scopeId,
      });
      expect((await audit('OscpFallbackEntered'))[0]!.data).toMatchObject({ mode: 'GAP_POLICY' });
      expect(await incidents('OPEN')).toHaveLength(1);

      // The next block ends the gap at its start.
      ctx.clock.set(at(90));
      await ctx.app.settle();
      expect((await circuit()).effectiveCapacityA).toBe(100);
      expect((await control()).mode).toBe('NORMAL');
      expect(await incidents('OPEN')).toEqual([]);
    },
  );
});

describe('fallback coverage as a STANDBY envelope', () => {
  it('is shown on the circuit with role STANDBY and never changes capacity', async () => {
    await connect();
    await keepOnline();
    await delivered(await send('CONSUMPTION', [[0, 120, 100]]));
    await delivered(
      await send('FALLBACK_CONSUMPTION', [
        [0, 60, 40],
        [60, 120, 30],
      ]),
    );

    expect((await circuit()).effectiveCapacityA).toBe(100);
    const open = await envelopes('open');
    expect(open.map((e) => e.role).sort()).toEqual(['LIMIT', 'STANDBY']);
    const standby = open.find((e) => e.role === 'STANDBY')!;
    expect(standby).toMatchObject({
      status: 'ACTIVE',
      source: 'OSCP fallback coverage (Grid operator)',
      origin: { kind: 'ADAPTER', adapter: 'oscp', reference: { connectionId, mode: 'STANDBY' } },
      blocks: [
        { start: iso(0), end: iso(60), importLimit: { value: 40, unit: 'A' }, importLimitA: 40 },
        { start: iso(60), end: iso(120), importLimit: { value: 30, unit: 'A' }, importLimitA: 30 },
      ],
    });
    expect(standby.origin.fallbackReason).toBeUndefined();

    ctx.clock.set(at(60));
    await ctx.app.settle();
    expect((await circuit()).effectiveCapacityA).toBe(100);
    expect((await envelopes('open')).filter((e) => e.role === 'STANDBY')).toHaveLength(1);
    const history = await get<CapacityHistory>(
      `/api/circuits/${ids.circuitId}/capacity-history?hours=2`,
    );
    expect(history.points.map((p) => p.effectiveCapacityA)).not.toContain(40);
    expect(history.points.map((p) => p.effectiveCapacityA)).not.toContain(30);

    // New fallback coverage replaces the STANDBY envelope: one at a time.
    await delivered(await send('FALLBACK_CONSUMPTION', [[60, 180, 35]]));
    const openStandby = (await envelopes('open')).filter((e) => e.role === 'STANDBY');
    expect(openStandby).toHaveLength(1);
    expect(openStandby[0]!.blocks).toMatchObject([
      { start: iso(60), end: iso(180), importLimit: { value: 35, unit: 'A' } },
    ]);
    const replaced = (await envelopes('all')).find((e) => e.id === standby.id);
    expect(replaced).toMatchObject({ status: 'WITHDRAWN', withdrawnBy: 'oscp' });
    expect((await circuit()).effectiveCapacityA).toBe(100);
  });
});

describe('disconnect and enable again', () => {
  it('disconnect withdraws every OSCP envelope at once, resolves the incident and hands control back', async () => {
    await connect();
    await normalWithFallback();
    await goOffline();
    const openBefore = await envelopes('open');
    expect(openBefore.map((e) => e.role).sort()).toEqual(['LIMIT', 'STANDBY']);
    const limitId = (await control()).envelopeId;
    expect(await incidents('OPEN')).toHaveLength(1);

    ctx.clock.advance(120_000);
    const now = ctx.clock.now().toISOString();
    const response = await post(`/api/oscp-connections/${connectionId}/disconnect`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      state: 'DISCONNECTED',
      enabled: false,
      lifecycle: { phase: 'DISCONNECTED' },
    });

    // Both at the same instant, in the disconnect's own transaction.
    const all = await envelopes('all');
    for (const e of openBefore) {
      expect(all.find((x) => x.id === e.id)).toMatchObject({
        role: e.role,
        status: 'WITHDRAWN',
        withdrawnAt: now,
        withdrawnBy: 'oscp',
      });
    }
    expect(await envelopes('open')).toEqual([]);

    const detail = await circuit();
    expect(detail.effectiveCapacityA).toBe(STATIC_A);
    expect(detail.source).toEqual({ kind: 'STATIC', label: 'Static circuit limit' });
    expect(await control()).toMatchObject({
      mode: 'LOCAL',
      fallback: false,
      envelopeId: null,
      disconnectedAt: now,
      incidentId: null,
    });
    expect(await incidents('OPEN')).toEqual([]);
    expect((await incidents('RESOLVED'))[0]).toMatchObject({
      resolvedAt: now,
      resolution: 'Recovered: OSCP control is not active',
    });
    const [handover] = await audit('OscpControlHandedOver');
    expect(handover!.data).toMatchObject({
      connectionId,
      scopeId: ids.scopeId,
      groupId,
      how: 'DISCONNECTED',
      by: 'mia',
      withdrawnEnvelopeId: limitId,
      at: now,
    });
    expect(await audit('OscpFallbackExited')).toHaveLength(1);

    // Nothing comes back by itself: no due work, and the peer is shut out.
    ctx.clock.set(at(200));
    await ctx.app.settle();
    expect((await circuit()).effectiveCapacityA).toBe(STATIC_A);
    expect(await send('CONSUMPTION', [[200, 240, 10]])).toMatchObject({
      status: 'rejected',
      httpStatus: 403,
    });
  });

  it('enabling again starts the lifecycle anew, and the old forecasts no longer apply', async () => {
    await connect();
    await normalWithFallback();
    expect((await post(`/api/oscp-connections/${connectionId}/disconnect`)).statusCode).toBe(200);

    // The Capacity Provider starts afresh too: a new peer for the same group and initial token.
    sim.removePeer(peerId);
    peerId = addPeer(groupId);
    const enabled = await post(`/api/oscp-connections/${connectionId}/enable`);
    expect(enabled.statusCode, enabled.body).toBe(200);
    expect(enabled.json().lifecycle.phase).toBe('REGISTERING');
    expect(await control()).toMatchObject({
      mode: 'LOCAL',
      disconnectedAt: null,
      blocks: { primary: [], fallback: [], optimum: [], generation: [] },
    });
    expect((await circuit()).effectiveCapacityA).toBe(STATIC_A);

    // Enabling registers with the newest token the peer gave us, which the fresh peer does not
    // know: the operator is told to re-register, and does so with the initial token.
    await settleUntil(async () => (await phase()) === 'REGISTRATION_FAILED', 'refused');
    const reregistered = await post(`/api/oscp-connections/${connectionId}/re-register`, {
      credential: 'INITIAL_TOKEN',
    });
    expect(reregistered.statusCode, reregistered.body).toBe(200);
    await settleUntil(async () => (await phase()) === 'REGISTERED', 'registered again');
    await delivered(await sim.sendHandshake(peerId, { heartbeatIntervalSeconds: 60 }));
    await settleUntil(async () => (await phase()) === 'HANDSHAKEN', 'handshaken again');
    await keepOnline();
    await settleUntil(async () => (await phase()) === 'ONLINE', 'online again');
    // The old 120 A and 40 A blocks would still cover now; they are gone with the old control.
    expect((await circuit()).effectiveCapacityA).toBe(STATIC_A);
    expect((await control()).mode).toBe('LOCAL');
    expect(await envelopes('open')).toEqual([]);
    ctx.clock.set(at(30));
    await ctx.app.settle();
    expect((await circuit()).effectiveCapacityA).toBe(STATIC_A);

    await delivered(await send('CONSUMPTION', [[30, 90, 70]]));
    expect((await circuit()).effectiveCapacityA).toBe(70);
    expect((await control()).mode).toBe('NORMAL');
  });
});

describe('a peer that forgot us', () => {
  /** The Capacity Provider loses its state: a new peer for the same group and initial token. */
  function peerForgetsUs() {
    sim.removePeer(peerId);
    peerId = addPeer(groupId);
  }
  const limitInForce = async () => {
    const [detail, view] = await Promise.all([circuit(), control()]);
    return { amps: detail.effectiveCapacityA, mode: view.mode };
  };

  it('is visible with what to do, and Re-register brings it back ONLINE with the limit held throughout', async () => {
    await connect();
    await normalWithFallback();
    await keepOnline();
    const held = { amps: 120, mode: 'NORMAL' };
    expect(await limitInForce()).toEqual(held);

    peerForgetsUs();
    ctx.clock.advance(60_000);
    const problem = await settleUntil(
      async () =>
        (await get<ConnectionDetail>(`/api/oscp-connections/${connectionId}`)).openProblems.find(
          (p) => p.kind === 'DELIVERY' && p.subject === 'Heartbeat',
        ),
      'our refused heartbeat as an open problem',
    );
    expect(problem).toMatchObject({ status: '403', clearedAt: null });
    expect(problem.hint).toContain('Re-register');
    expect(problem.action).toBe('REREGISTER');
    expect(await limitInForce()).toEqual(held);

    // Re-register with the initial token the fresh peer knows; nothing is restarted.
    const reregistered = await post(`/api/oscp-connections/${connectionId}/re-register`, {
      credential: 'INITIAL_TOKEN',
    });
    expect(reregistered.statusCode, reregistered.body).toBe(200);
    expect(await limitInForce()).toEqual(held);
    await settleUntil(async () => (await phase()) === 'REGISTERED', 'registered again');
    expect(await limitInForce()).toEqual(held);
    // The handshake may take a while; no heartbeat is expected meanwhile, and the limit stays.
    ctx.clock.advance(5 * 60_000);
    await ctx.app.settle();
    expect(await phase()).toBe('REGISTERED');
    expect(await limitInForce()).toEqual(held);

    await delivered(await sim.sendHandshake(peerId, { heartbeatIntervalSeconds: 60 }));
    await settleUntil(async () => (await phase()) === 'HANDSHAKEN', 'handshaken again');
    expect(await limitInForce()).toEqual(held);
    await keepOnline();
    await settleUntil(async () => (await phase()) === 'ONLINE', 'online again');
    expect(await limitInForce()).toEqual(held);

    // Our next heartbeat is accepted by the peer: the problem clears by itself.
    ctx.clock.advance(60_000);
    await settleUntil(
      async () =>
        (await get<ConnectionDetail>(`/api/oscp-connections/${connectionId}`)).openProblems
          .length === 0,
      'no open problem',
    );
    expect(await audit('OscpFallbackEntered')).toEqual([]);
  });

  it('in fallback, the fallback limit is held until the new handshake, then the forecast applies again', async () => {
    await connect();
    await normalWithFallback();
    peerForgetsUs();
    await goOffline();
    const held = { amps: 40, mode: 'FALLBACK_OFFLINE' };
    expect(await limitInForce()).toEqual(held);

    expect(
      (
        await post(`/api/oscp-connections/${connectionId}/re-register`, {
          credential: 'INITIAL_TOKEN',
        })
      ).statusCode,
    ).toBe(200);
    await settleUntil(async () => (await phase()) === 'REGISTERED', 'registered again');
    expect(await limitInForce()).toEqual(held);
    await delivered(await sim.sendHandshake(peerId, { heartbeatIntervalSeconds: 60 }));
    await settleUntil(async () => (await phase()) === 'HANDSHAKEN', 'handshaken again');
    await keepOnline();
    await settleUntil(async () => (await phase()) === 'ONLINE', 'online again');
    expect(await limitInForce()).toEqual({ amps: 120, mode: 'NORMAL' });
  });
});

describe('re-registering with a token the peer no longer knows', () => {
  it('holds the mode and its limit from the first refused message until the new handshake completes', async () => {
    await connect();
    await normalWithFallback();
    await keepOnline();
    const held = { mode: 'NORMAL', limit: { value: 120, unit: 'A' } };

    // The Capacity Provider loses its state: a new peer for the same group and initial token,
    // which knows neither our token nor the one it gave us.
    sim.removePeer(peerId);
    peerId = addPeer(groupId);
    const refused = await post(`/api/oscp-connections/${connectionId}/re-register`, {
      credential: 'PEER_TOKEN',
    });
    expect(refused.statusCode, refused.body).toBe(200);
    await settleUntil(
      async () =>
        (await get<ConnectionDetail>(`/api/oscp-connections/${connectionId}`)).openProblems.find(
          (p) => p.kind === 'DELIVERY' && p.subject === 'Register',
        ),
      'our Register refused',
    );
    expect(await control()).toMatchObject(held);
    expect((await circuit()).effectiveCapacityA).toBe(120);

    const reregistered = await post(`/api/oscp-connections/${connectionId}/re-register`, {
      credential: 'INITIAL_TOKEN',
    });
    expect(reregistered.statusCode, reregistered.body).toBe(200);
    expect(reregistered.json().initialToken).toBeNull();
    await settleUntil(async () => (await phase()) === 'REGISTERED', 'registered again');
    expect(await control()).toMatchObject(held);
    await delivered(await sim.sendHandshake(peerId, { heartbeatIntervalSeconds: 60 }));
    await settleUntil(async () => (await phase()) === 'HANDSHAKEN', 'handshaken again');
    await keepOnline();
    await settleUntil(async () => (await phase()) === 'ONLINE', 'online again');

    expect(await control()).toMatchObject(held);
    expect((await circuit()).effectiveCapacityA).toBe(120);
    expect(await audit('OscpFallbackEntered')).toEqual([]);
    expect(await audit('OscpGapPolicyApplied')).toEqual([]);
  });
});

describe('the timeline', () => {
  it('filters by kind and paginates, newest first', async () => {
    await connect();
    await normalWithFallback();
    // Enter fallback twice: offline, back, offline again.
    await goOffline();
    const first = ctx.clock.now().toISOString();
    ctx.clock.advance(60_000);
    await heartbeat();
    await settleUntil(async () => (await phase()) === 'ONLINE', 'online');
    await goOffline();
    const second = ctx.clock.now().toISOString();

    const url = `/api/oscp-connections/${connectionId}/timeline`;
    const page1 = await get<Timeline>(`${url}?kind=OscpFallbackEntered&limit=1&offset=0`);
    expect(page1.total).toBe(2);
    expect(page1.items).toHaveLength(1);
    expect(page1.items[0]).toMatchObject({
      type: 'OscpFallbackEntered',
      at: second,
      data: { connectionId, mode: 'FALLBACK_OFFLINE', scopeId: ids.scopeId },
    });
    const page2 = await get<Timeline>(`${url}?kind=OscpFallbackEntered&limit=1&offset=1`);
    expect(page2.total).toBe(2);
    expect(page2.items.map((i) => [i.type, i.at])).toEqual([['OscpFallbackEntered', first]]);
    expect(page2.items[0]!.position).toBeLessThan(page1.items[0]!.position);
    const page3 = await get<Timeline>(`${url}?kind=OscpFallbackEntered&limit=1&offset=2`);
    expect(page3).toEqual({ total: 2, items: [] });

    const both = await get<Timeline>(`${url}?kind=OscpFallbackEntered,OscpFallbackExited`);
    expect(both.items.map((i) => i.type)).toEqual([
      'OscpFallbackEntered',
      'OscpFallbackExited',
      'OscpFallbackEntered',
    ]);
    const unfiltered = await get<Timeline>(`${url}?limit=200`);
    expect(unfiltered.total).toBeGreaterThan(both.total);
    expect(new Set(unfiltered.items.map((i) => i.type))).toContain('OscpPeerOffline');
  });
});
