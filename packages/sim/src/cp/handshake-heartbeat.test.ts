import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newRequestId, parseMessage } from '@openvelope/oscp';
import { CapacityProviderSimulator } from './simulator';
import { FpClient, FpStandIn, ManualClock, registerFpFirst } from './testing';

const NOW = new Date('2030-06-01T12:00:00Z');

let clock: ManualClock;
let sim: CapacityProviderSimulator;
let fp: FpStandIn;
let client: FpClient;
let peerId: string;
let auth: { scheme: 'Token'; token: string };

beforeEach(async () => {
  clock = new ManualClock(NOW);
  sim = new CapacityProviderSimulator({ clock });
  await sim.start();
  fp = await FpStandIn.start();
  client = new FpClient(sim.oscpBaseUrl);
  peerId = sim.addPeer({
    groupId: 'G1',
    mode: 'OSCP_TOKEN',
    initialTokenForFp: 'initial-1',
    heartbeatIntervalSeconds: 45,
  });
  const { simToken } = await registerFpFirst(sim, fp, client, {
    peerId,
    initialToken: 'initial-1',
  });
  auth = { scheme: 'Token', token: simToken };
});

afterEach(async () => {
  await sim.stop();
  await fp.stop();
});

describe('handshake started by the simulator', () => {
  it('sends required_behaviour and completes on the acknowledgement that correlates with it', async () => {
    const outcome = await sim.sendHandshake(peerId, {
      heartbeatIntervalSeconds: 30,
      measurementConfiguration: ['CONTINUOUS'],
    });
    expect(outcome).toMatchObject({ status: 'delivered' });
    const handshake = await fp.waitFor('handshake');
    expect(handshake.body).toEqual({
      required_behaviour: { heartbeat_interval: 30, measurement_configuration: ['CONTINUOUS'] },
    });
    expect(parseMessage('Handshake', handshake.body).ok).toBe(true);
    expect(sim.peer(peerId).handshake).toMatchObject({ status: 'AWAITING_ACK', handshaken: false });

    const missing = await client.send({ kind: 'HandshakeAcknowledge', body: {} }, auth);
    expect(missing).toMatchObject({ status: 'rejected', httpStatus: 400 });
    const stranger = await client.send({ kind: 'HandshakeAcknowledge', body: {} }, auth, {
      correlationId: newRequestId(),
    });
    expect(stranger).toMatchObject({ status: 'rejected', httpStatus: 400 });

    const ack = await client.send(
      {
        kind: 'HandshakeAcknowledge',
        body: { required_behaviour: { heartbeat_interval: 90, measurement_configuration: [] } },
      },
      auth,
      { correlationId: handshake.requestId! },
    );
    expect(ack).toMatchObject({ status: 'delivered', httpStatus: 204 });
    const peer = sim.peer(peerId);
    expect(peer.handshake).toMatchObject({
      status: 'DONE',
      handshaken: true,
      requiredByFp: { heartbeat_interval: 90, measurement_configuration: [] },
      completedAt: NOW.toISOString(),
    });
    const recorded = sim.messages({ endpoint: 'handshake_acknowledge', peerId }).at(-1);
    expect(recorded).toMatchObject({ status: 204, correlationId: handshake.requestId });
  });

  it('sends a handshake on its own after registration when autoHandshakeAfterRegister is on', async () => {
    const second = sim.addPeer({
      groupId: 'G2',
      mode: 'OSCP_TOKEN',
      initialTokenForFp: 'initial-2',
      autoHandshakeAfterRegister: true,
      measurementConfiguration: ['INTERMITTENT'],
    });
    await registerFpFirst(sim, fp, client, {
      peerId: second,
      initialToken: 'initial-2',
      fpToken: 'fp-2',
    });
    const handshake = await fp.waitFor('handshake', {
      where: (r) => r.authorization === 'Token fp-2',
    });
    expect(handshake.body).toEqual({
      required_behaviour: { measurement_configuration: ['INTERMITTENT'] },
    });
  });
});

describe('handshake started by the FP', () => {
  it('answers 204 then acknowledges with the FP request id as correlation id', async () => {
    const requestId = newRequestId();
    const outcome = await client.send(
      {
        kind: 'Handshake',
        body: { required_behaviour: { heartbeat_interval: 20, measurement_configuration: [] } },
      },
      auth,
      { requestId },
    );
    expect(outcome).toMatchObject({ status: 'delivered', httpStatus: 204 });
    const ack = await fp.waitFor('handshake_acknowledge');
    expect(ack.correlationId).toBe(requestId);
    expect(ack.authorization).toBe('Token fp-token-for-sim');
    expect(ack.body).toEqual({
      required_behaviour: { heartbeat_interval: 45, measurement_configuration: ['CONTINUOUS'] },
    });
    await sim.waitForPeer(peerId, (p) => p.handshake.handshaken);

    // A retry of the same Handshake is answered but not acknowledged twice.
    await client.send(
      {
        kind: 'Handshake',
        body: { required_behaviour: { heartbeat_interval: 20, measurement_configuration: [] } },
      },
      auth,
      { requestId },
    );
    expect(sim.messages({ endpoint: 'handshake' }).at(-1)).toMatchObject({
      status: 204,
      duplicate: true,
    });
    expect(fp.received('handshake_acknowledge')).toHaveLength(1);
  });

  it('leaves the acknowledgement to the test when autoAcknowledge is off', async () => {
    const second = sim.addPeer({
      groupId: 'G2',
      mode: 'OSCP_TOKEN',
      initialTokenForFp: 'initial-2',
      autoAcknowledge: false,
    });
    const { simToken } = await registerFpFirst(sim, fp, client, {
      peerId: second,
      initialToken: 'initial-2',
      fpToken: 'fp-2',
    });
    const requestId = newRequestId();
    await client.send(
      { kind: 'Handshake', body: { required_behaviour: { measurement_configuration: [] } } },
      { scheme: 'Token', token: simToken },
      { requestId },
    );
    expect(sim.peer(second).handshake.status).toBe('RECEIVED');
    expect(await sim.acknowledgeHandshake(second)).toMatchObject({ status: 'delivered' });
    expect((await fp.waitFor('handshake_acknowledge')).correlationId).toBe(requestId);
    expect(sim.peer(second).handshake.handshaken).toBe(true);
  });
});

describe('heartbeats', () => {
  it('sets offline_mode_at to now + 2 × interval by default, from the simulator clock', async () => {
    await sim.sendHeartbeat(peerId, { intervalSeconds: 30 });
    expect((await fp.waitFor('heartbeat')).body).toEqual({
      offline_mode_at: '2030-06-01T12:01:00.000Z',
    });
    clock.advance(30_000);
    await sim.sendHeartbeat(peerId, { intervalSeconds: 30, offlineMultiplier: 3 });
    expect((await fp.waitFor('heartbeat', { nth: 2 })).body).toEqual({
      offline_mode_at: '2030-06-01T12:02:00.000Z',
    });
    expect(sim.peer(peerId).heartbeats).toMatchObject({
      sent: 2,
      delivered: 2,
      lastOutcome: { status: 'delivered' },
    });
  });

  it('starts at once, stops and resumes with the same interval', async () => {
    sim.startHeartbeats(peerId, 3600);
    const first = await fp.waitFor('heartbeat');
    expect(first.body).toEqual({
      offline_mode_at: new Date(NOW.getTime() + 7200_000).toISOString(),
    });
    expect(sim.peer(peerId).heartbeats.running).toBe(true);

    sim.stopHeartbeats(peerId);
    expect(sim.peer(peerId).heartbeats).toMatchObject({ running: false, intervalSeconds: 3600 });

    clock.advance(60_000);
    sim.resumeHeartbeats(peerId);
    const second = await fp.waitFor('heartbeat', { nth: 2 });
    expect(second.body).toEqual({
      offline_mode_at: new Date(NOW.getTime() + 60_000 + 7200_000).toISOString(),
    });
    await sim.waitForPeer(peerId, (p) => p.heartbeats.sent === 2);
    sim.stopHeartbeats(peerId);
  });

  it('records failed heartbeats with their outcome', async () => {
    fp.answer('heartbeat', 503);
    const outcome = await sim.sendHeartbeat(peerId, { intervalSeconds: 10 });
    expect(outcome).toMatchObject({ status: 'failed', reason: 'server_error', httpStatus: 503 });
    expect(sim.peer(peerId).heartbeats).toMatchObject({
      sent: 1,
      delivered: 0,
      lastOutcome: { status: 'failed', httpStatus: 503 },
    });
    expect(sim.sentMessages({ endpoint: 'heartbeat' })[0]?.outcome).toMatchObject({
      status: 'failed',
    });
  });

  it('tracks the FP heartbeats: online until offline_mode_at', async () => {
    await client.send(
      { kind: 'Heartbeat', body: { offline_mode_at: '2030-06-01T12:01:00Z' } },
      auth,
    );
    expect(sim.peer(peerId).heartbeats.fromFp).toEqual({
      lastHeartbeatAt: NOW.toISOString(),
      offlineModeAt: '2030-06-01T12:01:00Z',
      online: true,
    });
    clock.advance(61_000);
    expect(sim.peer(peerId).heartbeats.fromFp.online).toBe(false);
  });

  it('starts heartbeats at the interval the FP asks for when autoHeartbeats is on', async () => {
    const second = sim.addPeer({
      groupId: 'G2',
      mode: 'OSCP_TOKEN',
      initialTokenForFp: 'initial-2',
      autoHeartbeats: true,
    });
    const { simToken } = await registerFpFirst(sim, fp, client, {
      peerId: second,
      initialToken: 'initial-2',
      fpToken: 'fp-2',
    });
    await client.send(
      {
        kind: 'Handshake',
        body: { required_behaviour: { heartbeat_interval: 900, measurement_configuration: [] } },
      },
      { scheme: 'Token', token: simToken },
    );
    const beat = await fp.waitFor('heartbeat', { where: (r) => r.authorization === 'Token fp-2' });
    expect(beat.body).toEqual({
      offline_mode_at: new Date(NOW.getTime() + 1800_000).toISOString(),
    });
    expect(sim.peer(second).heartbeats).toMatchObject({ running: true, intervalSeconds: 900 });
  });
});
