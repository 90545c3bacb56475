import { describe, expect, it } from 'vitest';
import { useLifecycleHarness } from '../../testing/lifecycle-harness';
import { peerTokenSecret } from '../domain/secret-names';

// Capacity Providers met in the field depart from OSCP 2.0 in small ways. Each tolerance is a
// setting of the connection, off by default: off, the peer's departure is refused (and shown);
// on, the connection works. The simulator behaves each way on request.

const h = useLifecycleHarness();

describe('a relative base_url in the peer’s Register', () => {
  it('off: the Register is refused, and the registration fails saying so', async () => {
    const { id, peerId } = await h.tokenExchange({ peer: { relativeBaseUrl: true } });
    await h.enable(id);
    const refused = await h.peerReceived(
      'our Register at the peer',
      (m) => m.endpoint === 'register' && m.peerId === peerId,
    );
    expect(refused.status).toBe(204);
    const theirs = await h.settleUntil('their Register refused', async () =>
      h.sim
        .sentMessages({ endpoint: 'register', peerId })
        .find((m) => m.outcome.status !== 'delivered'),
    );
    expect(theirs.outcome).toMatchObject({ status: 'rejected', httpStatus: 400 });
    expect((theirs.body as { version_url: { base_url: string }[] }).version_url[0]!.base_url).toBe(
      '/oscp/cp/2.0',
    );
    h.ctx.clock.advance(30_000);
    const failed = await h.phaseBecomes(id, 'REGISTRATION_FAILED');
    expect(failed.lifecycle.registration.failure?.reason).toMatch(
      /^The peer.s Register at .* was refused \(version_url\[0\]\.base_url: must be an absolute http\(s\) URL\); no acceptable Register within 30 s of ours being delivered\.$/,
    );
    expect(failed.openProblems.map((p) => [p.kind, p.subject])).toContainEqual([
      'INBOUND',
      'register',
    ]);
  });

  it('on: the base URL is resolved against the configured peer URL', async () => {
    const { id } = await h.tokenExchange({
      peer: { relativeBaseUrl: true },
      connection: { interoperability: { acceptRelativeBaseUrl: true } },
    });
    await h.enable(id);
    const registered = await h.phaseBecomes(id, 'REGISTERED');
    expect(registered.lifecycle.registration.peerBaseUrl).toBe(h.sim.oscpBaseUrl);
  });
});

describe('an acknowledgement path spelled otherwise', () => {
  it('off: our acknowledgement to handshake_acknowledge is refused with 404, and the problem says so', async () => {
    const { id, peerId } = await h.registered({
      peer: { acknowledgementPath: 'handshake_acknowledgment' },
    });
    await h.sim.sendHandshake(peerId, { heartbeatIntervalSeconds: 60 });
    await h.settleUntil('our acknowledgement refused', async () =>
      (await h.detail(id)).openProblems.find((p) => p.subject === 'HandshakeAcknowledge'),
    );
    const detail = await h.detail(id);
    expect(detail.lifecycle.phase).toBe('REGISTERED');
    expect(detail.openProblems).toContainEqual(
      expect.objectContaining({ kind: 'DELIVERY', subject: 'HandshakeAcknowledge', status: '404' }),
    );
    expect(h.sim.messages({ endpoint: 'handshake_acknowledge', peerId }).at(-1)).toMatchObject({
      status: 404,
      handling: 'rejected',
    });
  });

  it('on: our acknowledgement goes to the peer’s spelling and the handshake completes', async () => {
    const { id, peerId } = await h.registered({
      peer: { acknowledgementPath: 'handshake_acknowledgment' },
      connection: { interoperability: { acknowledgementPath: 'handshake_acknowledgment' } },
    });
    await h.sim.sendHandshake(peerId, { heartbeatIntervalSeconds: 60 });
    await h.phaseBecomes(id, 'HANDSHAKEN');
    expect(h.sim.messages({ endpoint: 'handshake_acknowledgment', peerId })).toEqual([
      expect.objectContaining({ status: 204, handling: 'accepted' }),
    ]);
  });
});

describe('date-times without an offset', () => {
  const forecast = () => {
    const start = h.ctx.clock.now();
    return [
      {
        start,
        end: new Date(start.getTime() + 3_600_000),
        capacity: 40,
        unit: 'A' as const,
        phase: 'ALL' as const,
      },
    ];
  };

  it('off: a forecast in local time is refused with 400 naming the field', async () => {
    const { id, peerId } = await h.handshaken({ peer: { localTimes: true } });
    const outcome = await h.sim.sendForecast(peerId, { type: 'CONSUMPTION', blocks: forecast() });
    expect(outcome).toMatchObject({ status: 'rejected', httpStatus: 400 });
    expect(outcome.status === 'rejected' && outcome.message).toContain('start_time');
    expect((await h.refusals(id)).at(-1)).toMatchObject({
      endpoint: 'update_group_capacity_forecast',
      status: 400,
    });
    expect(await h.auditEvents(id, 'OscpForecastAccepted')).toHaveLength(0);
  });

  it('on: it is read as UTC and applied', async () => {
    const { id, peerId } = await h.handshaken({
      peer: { localTimes: true },
      connection: { interoperability: { assumeUtcWithoutOffset: true } },
    });
    const blocks = forecast();
    const outcome = await h.sim.sendForecast(peerId, { type: 'CONSUMPTION', blocks });
    expect(outcome).toMatchObject({ status: 'delivered', httpStatus: 204 });
    const sent = h.sim.sentMessages({ endpoint: 'update_group_capacity_forecast', peerId }).at(-1)!;
    const wire = (sent.body as { forecasted_blocks: { start_time: string }[] }).forecasted_blocks;
    expect(wire[0]!.start_time).not.toMatch(/Z|[+-]\d{2}:\d{2}$/);
    const [accepted] = await h.auditEvents(id, 'OscpForecastAccepted');
    expect(accepted!.data).toMatchObject({
      span: { start: blocks[0]!.start.toISOString(), end: blocks[0]!.end.toISOString() },
    });
  });
});

describe('a peer that sends no heartbeats', () => {
  it('off: it goes OFFLINE three of our intervals after the handshake', async () => {
    const { id, peerId } = await h.handshaken({ peer: { sendsHeartbeats: false } });
    expect(() => h.sim.startHeartbeats(peerId, 60)).toThrow(/never to send heartbeats/);
    h.ctx.clock.advance(180_000);
    await h.ctx.app.settle();
    expect((await h.detail(id)).lifecycle.phase).toBe('OFFLINE');
  });

  it('on: liveness is not tracked, shown as such, and business goes on', async () => {
    const { id, peerId } = await h.handshaken({
      peer: { sendsHeartbeats: false },
      connection: { interoperability: { expectPeerHeartbeats: false } },
    });
    h.ctx.clock.advance(3_600_000);
    await h.ctx.app.settle();
    const detail = await h.detail(id);
    expect(detail.lifecycle.phase).toBe('HANDSHAKEN');
    expect(detail.lifecycle.livenessTracked).toBe(false);
    expect(detail.openProblems).toEqual([]);
    expect(
      await h.sim.sendForecast(peerId, { type: 'CONSUMPTION', blocks: h.forecastBlocks() }),
    ).toMatchObject({ status: 'delivered' });
  });
});

describe('what real peers call their groups', () => {
  it('a group id such as B6734_AE0100_00848825118 works end to end', async () => {
    const group = 'B6734_AE0100_00848825118';
    const { id, peerId } = await h.handshaken({
      peer: { groupId: group },
      connection: { groupId: group },
    });
    expect((await h.detail(id)).groupId).toBe(group);
    expect(
      await h.sim.sendForecast(peerId, { type: 'CONSUMPTION', blocks: h.forecastBlocks(30) }),
    ).toMatchObject({ status: 'delivered', httpStatus: 204 });
    expect(await h.auditEvents(id, 'OscpForecastAccepted')).toHaveLength(1);
  });
});

describe('the simulator’s record', () => {
  it('labels each inbound message accepted, rejected or ignored', async () => {
    const { id, peerId } = await h.registered();
    const ours = h.sim.messages({ endpoint: 'register', peerId })[0]!;
    expect(ours).toMatchObject({ status: 204, handling: 'accepted' });
    // Our Register again, as a retry would send it: answered, but nothing is done twice.
    const token = await h.ctx.app.secrets.reveal(h.ctx.db, peerTokenSecret(id));
    const repeat = await fetch(`${h.sim.oscpBaseUrl}/register`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Token ${token}`,
        'x-request-id': ours.requestId!,
      },
      body: JSON.stringify(ours.body),
    });
    expect(repeat.status).toBe(204);
    expect(h.sim.messages({ endpoint: 'register', peerId }).at(-1)).toMatchObject({
      handling: 'ignored',
      ignoredBecause: 'a repeat of a Register we already answered',
    });
    const wrong = await fetch(`${h.sim.oscpBaseUrl}/heartbeat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Token nope' },
      body: '{}',
    });
    expect(wrong.status).toBe(403);
    expect(h.sim.messages({ endpoint: 'heartbeat' }).at(-1)).toMatchObject({
      handling: 'rejected',
    });
  });
});
