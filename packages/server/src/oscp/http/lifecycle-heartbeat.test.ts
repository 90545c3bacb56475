import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createApp, type App, type AppOptions } from '../../app';
import { createLogger } from '../../platform/logging';
import { seedDemoDepot } from '../../seed/demo-depot';
import { openTestDatabase } from '../../testing/test-database';
import { eventually } from '../../testing/wait';
import { HEARTBEAT_WORK } from '../app/lifecycle';
import { useLifecycleHarness } from '../../testing/lifecycle-harness';

// Heartbeats both ways and liveness, over real HTTP against the Capacity Provider simulator, with
// the app's manual clock deciding when heartbeats fall due and when a peer is offline.

const h = useLifecycleHarness();

const iso = (ms: number) => new Date(ms).toISOString();
const offlineModeAt = (record: { body: unknown }) =>
  new Date((record.body as { offline_mode_at: string }).offline_mode_at).getTime();

describe('heartbeats we send', () => {
  it('go out at the interval the peer asked for, one per interval, with offline_mode_at = now + 3 × interval', async () => {
    const { id, peerId } = await h.handshaken({ heartbeatIntervalSeconds: 30 });
    const t0 = h.ctx.clock.now().getTime();
    const beats = () => h.sim.messages({ endpoint: 'heartbeat', peerId });

    // The first is due as the handshake completes.
    await h.settleUntil('the first heartbeat', async () => beats().length === 1);
    expect(beats()[0]!.status).toBe(204);
    expect(offlineModeAt(beats()[0]!)).toBe(t0 + 90_000);
    expect((await h.detail(id)).lastHeartbeatSent).toEqual({
      kind: 'Heartbeat',
      status: 'DELIVERED',
      at: iso(t0),
      requestId: beats()[0]!.requestId,
      lastError: null,
    });

    // Not before the interval is up; exactly one when it is.
    h.ctx.clock.advance(29_999);
    await h.ctx.app.settle();
    expect(beats()).toHaveLength(1);
    h.ctx.clock.advance(1);
    await h.ctx.app.settle();
    expect(beats()).toHaveLength(2);
    expect(offlineModeAt(beats()[1]!)).toBe(t0 + 30_000 + 90_000);
    h.ctx.clock.advance(30_000);
    await h.ctx.app.settle();
    expect(beats()).toHaveLength(3);
    expect(offlineModeAt(beats()[2]!)).toBe(t0 + 60_000 + 90_000);

    // Run 5 s late: the beat goes out then, and the next stays on the planned cadence.
    h.ctx.clock.advance(35_000);
    await h.ctx.app.settle();
    expect(beats()).toHaveLength(4);
    expect(offlineModeAt(beats()[3]!)).toBe(t0 + 95_000 + 90_000);
    h.ctx.clock.advance(24_999);
    await h.ctx.app.settle();
    expect(beats()).toHaveLength(4);
    h.ctx.clock.advance(1);
    await h.ctx.app.settle();
    expect(beats()).toHaveLength(5);

    // After a pause of several intervals: one heartbeat (no burst), then the cadence again.
    h.ctx.clock.advance(100_000);
    await h.ctx.app.settle();
    expect(beats()).toHaveLength(6);
    h.ctx.clock.advance(29_999);
    await h.ctx.app.settle();
    expect(beats()).toHaveLength(6);
    h.ctx.clock.advance(1);
    await h.ctx.app.settle();
    expect(beats()).toHaveLength(7);
    expect(new Set(beats().map((b) => b.requestId)).size).toBe(7);
    expect((await h.detail(id)).lastHeartbeatSent).toMatchObject({
      status: 'DELIVERED',
      requestId: beats()[6]!.requestId,
      at: h.ctx.clock.now().toISOString(),
    });
    // A delivered heartbeat's record is its outbox row, not an event (ADR 0013).
    const attempted = await h.auditEvents(id, 'OscpOutboundAttempted');
    expect(attempted.filter((e) => e.data.kind === 'Heartbeat')).toHaveLength(0);

    // A failed one shows as the last send result, is not retried, and the next one goes out on time.
    h.sim.setFault({ endpoint: 'heartbeat', peerId, status: 503, message: 'busy', times: 1 });
    h.ctx.clock.advance(30_000);
    await h.ctx.app.settle();
    expect((await h.detail(id)).lastHeartbeatSent).toMatchObject({
      status: 'FAILED',
      lastError: 'HTTP 503: busy',
    });
    expect((await h.publications(id, '?kind=Heartbeat'))[0]).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      maxAttempts: 1,
    });
    h.ctx.clock.advance(30_000);
    await h.ctx.app.settle();
    expect((await h.detail(id)).lastHeartbeatSent).toMatchObject({
      status: 'DELIVERED',
      lastError: null,
    });
    expect(beats().map((b) => b.status)).toEqual([204, 204, 204, 204, 204, 204, 204, 503, 204]);
  });
});

describe('liveness of the peer', () => {
  it('is ONLINE on its heartbeat, OFFLINE once its offline_mode_at has passed, and ONLINE again when heartbeats resume', async () => {
    const { id, peerId } = await h.handshaken();
    h.ctx.clock.advance(5_000);
    const beatAt = h.ctx.clock.now().getTime();
    // Real timers every 60 s; the first heartbeat goes at once, and we stop before a second.
    h.sim.startHeartbeats(peerId, 60, 2);
    try {
      const online = await h.phaseBecomes(id, 'ONLINE');
      h.sim.stopHeartbeats(peerId);
      const threshold = beatAt + 120_000;
      expect(online.lifecycle.heartbeat).toEqual({
        lastReceivedAt: iso(beatAt),
        peerOfflineAt: iso(threshold),
        wentOfflineAt: null,
      });
      expect(online.latestError).toBeNull();

      h.ctx.clock.set(iso(threshold - 1));
      await h.ctx.app.settle();
      expect((await h.detail(id)).lifecycle.phase).toBe('ONLINE');
      h.ctx.clock.set(iso(threshold + 1));
      await h.ctx.app.settle();
      const offline = await h.detail(id);
      expect(offline.lifecycle.phase).toBe('OFFLINE');
      expect(offline.lifecycle.heartbeat).toEqual({
        lastReceivedAt: iso(beatAt),
        peerOfflineAt: iso(threshold),
        wentOfflineAt: iso(threshold + 1),
      });
      expect(offline.latestError).toEqual({
        source: 'LIVENESS',
        at: iso(threshold + 1),
        attempted: 'Waiting for the peer’s heartbeat',
        url: null,
        status: null,
        message: `No heartbeat since ${iso(beatAt)}; the peer's offline_mode_at ${iso(threshold)} passed.`,
        clearedAt: null,
      });
      // Our own heartbeats keep going and are delivered; that does not clear a liveness error.
      expect((await h.detail(id)).lastHeartbeatSent).toMatchObject({ status: 'DELIVERED' });

      h.ctx.clock.advance(10_000);
      const resumedAt = h.ctx.clock.now().toISOString();
      h.sim.resumeHeartbeats(peerId);
      const back = await h.phaseBecomes(id, 'ONLINE');
      h.sim.stopHeartbeats(peerId);
      expect(back.lifecycle.heartbeat.lastReceivedAt).toBe(resumedAt);
      expect(back.latestError).toMatchObject({
        attempted: 'Waiting for the peer’s heartbeat',
        clearedAt: resumedAt,
      });

      // The history keeps every transition, newest first.
      const timeline = await h.timeline(id, ['OscpPeerOnline', 'OscpPeerOffline']);
      expect(timeline.map((e) => [e.type, e.at])).toEqual([
        ['OscpPeerOnline', resumedAt],
        ['OscpPeerOffline', iso(threshold + 1)],
        ['OscpPeerOnline', iso(beatAt)],
      ]);
      expect(timeline[1]!.data).toMatchObject({
        lastHeartbeatAt: iso(beatAt),
        offlineModeAt: iso(threshold),
        handshakeRequired: false,
      });
    } finally {
      h.sim.stopHeartbeats(peerId);
    }
  });

  it('after OFFLINE, with rehandshakeAfterOffline and the FP as initiator (Vector), heartbeats alone do not bring it ONLINE: we send a new handshake and it is ONLINE once that completes', async () => {
    const { id, peerId } = await h.vector({ peer: { autoAcknowledge: false } });
    await h.enable(id);
    await h.peerReceived(
      'our first Handshake',
      (m) => m.endpoint === 'handshake' && m.peerId === peerId,
    );
    expect(await h.sim.acknowledgeHandshake(peerId)).toMatchObject({ status: 'delivered' });
    expect(
      await h.sim.sendHeartbeat(peerId, { intervalSeconds: 60, offlineMultiplier: 2 }),
    ).toMatchObject({ status: 'delivered' });
    expect((await h.detail(id)).lifecycle.phase).toBe('ONLINE');

    h.ctx.clock.advance(120_001);
    await h.ctx.app.settle();
    const offline = await h.detail(id);
    expect(offline.lifecycle.phase).toBe('OFFLINE');
    expect(offline.lifecycle.handshake.required).toBe(true);

    // The peer's heartbeats resume: still OFFLINE, and we (the initiator) send one new handshake.
    expect(await h.sim.sendHeartbeat(peerId)).toMatchObject({
      status: 'delivered',
      httpStatus: 204,
    });
    const stillOffline = await h.detail(id);
    expect(stillOffline.lifecycle.phase).toBe('OFFLINE');
    expect(stillOffline.lifecycle.heartbeat.lastReceivedAt).toBe(h.ctx.clock.now().toISOString());
    expect(stillOffline.lifecycle.handshake.awaitingAcknowledgement).toBe(true);
    const second = (await h.publications(id, '?kind=Handshake')).find(
      (p) => p.status === 'PENDING',
    );
    expect(second).toBeDefined();
    const resent = await h.peerReceived(
      'the new Handshake',
      (m) => m.endpoint === 'handshake' && m.requestId === second!.requestId,
    );
    expect(resent.status).toBe(204);

    h.ctx.clock.advance(60_000);
    expect(await h.sim.sendHeartbeat(peerId)).toMatchObject({ status: 'delivered' });
    await h.ctx.app.settle();
    expect((await h.detail(id)).lifecycle.phase).toBe('OFFLINE');
    expect(await h.publications(id, '?kind=Handshake')).toHaveLength(2);
    const refused = await h.sim.sendForecast(peerId, {
      type: 'CONSUMPTION',
      blocks: h.forecastBlocks(),
    });
    expect(refused).toMatchObject({ status: 'rejected', httpStatus: 403 });

    expect(await h.sim.acknowledgeHandshake(peerId)).toMatchObject({ status: 'delivered' });
    const handshaken = await h.detail(id);
    expect(handshaken.lifecycle.phase).toBe('HANDSHAKEN');
    expect(handshaken.lifecycle.handshake.required).toBe(false);
    expect(await h.sim.sendHeartbeat(peerId)).toMatchObject({ status: 'delivered' });
    expect((await h.detail(id)).lifecycle.phase).toBe('ONLINE');
    const accepted = await h.sim.sendForecast(peerId, {
      type: 'CONSUMPTION',
      blocks: h.forecastBlocks(),
    });
    expect(accepted).toMatchObject({ status: 'delivered', httpStatus: 204 });

    const timeline = await h.timeline(id, [
      'OscpPeerOnline',
      'OscpPeerOffline',
      'OscpHandshakeSent',
      'OscpHandshakeCompleted',
    ]);
    expect(timeline.map((e) => e.type).reverse()).toEqual([
      'OscpHandshakeSent',
      'OscpHandshakeCompleted',
      'OscpPeerOnline',
      'OscpPeerOffline',
      'OscpHandshakeSent',
      'OscpHandshakeCompleted',
      'OscpPeerOnline',
    ]);
  });

  it('after OFFLINE, with rehandshakeAfterOffline and the CP as initiator, waits for the peer’s handshake (sending none) before ONLINE', async () => {
    const { id, peerId } = await h.handshaken({ connection: { rehandshakeAfterOffline: true } });
    await h.sim.sendHeartbeat(peerId, { intervalSeconds: 60, offlineMultiplier: 2 });
    expect((await h.detail(id)).lifecycle.phase).toBe('ONLINE');
    h.ctx.clock.advance(120_001);
    await h.ctx.app.settle();
    expect((await h.detail(id)).lifecycle.phase).toBe('OFFLINE');

    expect(await h.sim.sendHeartbeat(peerId)).toMatchObject({ status: 'delivered' });
    await h.ctx.app.settle();
    expect((await h.detail(id)).lifecycle.phase).toBe('OFFLINE');
    expect(await h.publications(id, '?kind=Handshake')).toHaveLength(0);

    expect(
      await h.sim.sendHandshake(peerId, {
        heartbeatIntervalSeconds: 60,
        measurementConfiguration: ['CONTINUOUS'],
      }),
    ).toMatchObject({ status: 'delivered' });
    await h.phaseBecomes(id, 'HANDSHAKEN');
    expect(await h.sim.sendHeartbeat(peerId)).toMatchObject({ status: 'delivered' });
    expect((await h.detail(id)).lifecycle.phase).toBe('ONLINE');
  });
});

describe('heartbeat scheduling is durable', () => {
  it('a new app instance on the same database sends the heartbeats that fall due', async () => {
    const database = await openTestDatabase();
    const clock = h.ctx.clock;
    const options: AppOptions = {
      db: database.db,
      clock,
      log: createLogger('silent'),
      secretsKey: randomBytes(32),
      oscp: {
        requestTimeoutMs: 2000,
        maxDeliveryAttempts: 3,
        retryBaseDelayMs: 1000,
        registrationReplyTimeoutMs: 30_000,
      },
    };
    const first = await createApp(options);
    let firstOpen = true;
    let second: App | undefined;
    try {
      first.setPublicUrl(await first.http.listen({ port: 0, host: '127.0.0.1' }));
      const seeded = await seedDemoDepot(database.db, first.microgrid, clock.now());
      const group = h.nextGroup('D');
      await first.secrets.put(database.db, `init-${group}`, `init${group}`, 'test', clock.now());
      const peerId = h.sim.addPeer({
        groupId: group,
        mode: 'OSCP_TOKEN',
        initialTokenForFp: `init${group}`,
      });
      const id = await first.oscp.connections.create(
        {
          preset: 'OSCP_STANDARD',
          displayName: 'Durable heartbeats',
          groupId: group,
          microgridId: seeded.microgridId!,
          scopeId: seeded.scopeId!,
          peerBaseUrl: h.sim.oscpBaseUrl,
          authReferences: { initialToken: `init-${group}` },
          enabled: true,
        },
        'test',
        clock.now(),
      );
      await eventually(async () => {
        await first.settle();
        return (await first.oscp.connections.detail(id)).lifecycle.phase === 'REGISTERED';
      }, 'registered');
      await h.sim.sendHandshake(peerId, {
        heartbeatIntervalSeconds: 30,
        measurementConfiguration: ['CONTINUOUS'],
      });
      const t0 = clock.now().getTime();
      const beats = () => h.sim.messages({ endpoint: 'heartbeat', peerId });
      await eventually(async () => {
        await first.settle();
        return beats().length === 1;
      }, 'the first heartbeat, from the first instance');

      // The first instance goes away; the next heartbeat is booked in the database, not in it.
      await first.http.close();
      firstOpen = false;
      const booked = await database.db
        .selectFrom('scheduled_work')
        .select('due_at')
        .where('kind', '=', HEARTBEAT_WORK)
        .where('dedupe_key', '=', id)
        .executeTakeFirstOrThrow();
      expect(booked.due_at.toISOString()).toBe(iso(t0 + 30_000));

      second = await createApp(options);
      clock.advance(29_999);
      await second.settle();
      expect(beats()).toHaveLength(1);
      clock.advance(1);
      await second.settle();
      expect(beats()).toHaveLength(2);
      clock.advance(30_000);
      await second.settle();
      expect(beats()).toHaveLength(3);
      expect(beats().map(offlineModeAt)).toEqual([
        t0 + 90_000,
        t0 + 30_000 + 90_000,
        t0 + 60_000 + 90_000,
      ]);
      expect(beats().map((b) => b.status)).toEqual([204, 204, 204]);
      expect((await second.oscp.connections.detail(id)).lastHeartbeatSent).toMatchObject({
        status: 'DELIVERED',
        requestId: beats()[2]!.requestId,
      });
    } finally {
      if (firstOpen) await first.http.close();
      await second?.http.close();
      await database.close();
    }
  });
});
