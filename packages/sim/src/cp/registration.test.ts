import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newRequestId, parseMessage } from '@openvelope/oscp';
import { CapacityProviderSimulator } from './simulator';
import { FpClient, FpStandIn, rawPost } from './testing';

let sim: CapacityProviderSimulator;
let fp: FpStandIn;
let client: FpClient;

beforeEach(async () => {
  sim = new CapacityProviderSimulator();
  await sim.start();
  fp = await FpStandIn.start();
  client = new FpClient(sim.oscpBaseUrl);
});

afterEach(async () => {
  await sim.stop();
  await fp.stop();
});

const heartbeat = (offset = 60_000) => ({
  kind: 'Heartbeat' as const,
  body: { offline_mode_at: new Date(Date.now() + offset).toISOString() },
});

describe('FP registers first', () => {
  it('answers 204, registers back with a fresh token and the correlation id, then retires the initial token', async () => {
    const peerId = sim.addPeer({
      groupId: 'G1',
      mode: 'OSCP_TOKEN',
      initialTokenForFp: 'initial-1',
    });
    const requestId = newRequestId();

    const outcome = await client.send(
      {
        kind: 'Register',
        body: { token: 'T-fp', version_url: [{ version: '2.0', base_url: fp.baseUrl }] },
      },
      { scheme: 'Token', token: 'initial-1' },
      { requestId },
    );
    expect(outcome).toMatchObject({ status: 'delivered', httpStatus: 204 });

    const back = await fp.waitFor('register');
    expect(back.authorization).toBe('Token T-fp');
    expect(back.correlationId).toBe(requestId);
    expect(back.requestId).toBeTruthy();
    expect(back.requestId).not.toBe(requestId);
    const parsed = parseMessage('Register', back.body);
    expect(parsed.ok).toBe(true);
    const body = back.body as { token: string; version_url: unknown };
    expect(body.version_url).toEqual([{ version: '2.0', base_url: sim.oscpBaseUrl }]);
    expect(body.token).not.toBe('initial-1');

    const peer = await sim.waitForPeer(peerId, (p) => p.registration.status === 'REGISTERED');
    expect(peer.fpBaseUrl).toBe(fp.baseUrl);
    expect(peer.tokens.initialTokenForFp).toBeNull();

    expect(await client.send(heartbeat(), { scheme: 'Token', token: body.token })).toMatchObject({
      status: 'delivered',
    });
    const refused = await client.send(heartbeat(), { scheme: 'Token', token: 'initial-1' });
    expect(refused).toMatchObject({ status: 'rejected', httpStatus: 403 });

    // The sim now calls the FP with the FP's token.
    await sim.sendHeartbeat(peerId, { intervalSeconds: 30 });
    expect((await fp.waitFor('heartbeat')).authorization).toBe('Token T-fp');
  });

  it('waits for an explicit register when autoRegisterBack is off, then answers with the correlation id', async () => {
    const peerId = sim.addPeer({
      groupId: 'G1',
      mode: 'OSCP_TOKEN',
      initialTokenForFp: 'initial-1',
      autoRegisterBack: false,
    });
    const requestId = newRequestId();
    await client.send(
      {
        kind: 'Register',
        body: { token: 'T-fp', version_url: [{ version: '2.0', base_url: fp.baseUrl }] },
      },
      { scheme: 'Token', token: 'initial-1' },
      { requestId },
    );
    expect(sim.peer(peerId).registration.status).toBe('FP_REGISTERED');
    expect(fp.received('register')).toHaveLength(0);
    // Not registered yet: business messages are refused.
    expect(await client.send(heartbeat(), { scheme: 'Token', token: 'initial-1' })).toMatchObject({
      status: 'rejected',
      httpStatus: 403,
    });

    expect(await sim.register(peerId)).toMatchObject({ status: 'delivered' });
    const back = await fp.waitFor('register');
    expect(back.correlationId).toBe(requestId);
    expect(sim.peer(peerId).registration.status).toBe('REGISTERED');
  });

  it('answers 501 when no version is in common and does not register back', async () => {
    const peerId = sim.addPeer({
      groupId: 'G1',
      mode: 'OSCP_TOKEN',
      initialTokenForFp: 'initial-1',
    });
    const response = await rawPost(
      `${sim.oscpBaseUrl}/register`,
      { token: 'T-fp', version_url: [{ version: '2.1', base_url: fp.baseUrl }] },
      { authorization: 'Token initial-1', 'x-request-id': newRequestId() },
    );
    expect(response.status).toBe(501);
    expect(response.body).toEqual({ message: expect.stringContaining('no common OSCP version') });
    expect(sim.peer(peerId).registration.status).toBe('NOT_REGISTERED');
    expect(fp.received('register')).toHaveLength(0);
  });
});

describe('simulator registers first', () => {
  it('sends its Register with the FP initial token and completes on the FP Register back', async () => {
    const peerId = sim.addPeer({
      groupId: 'G2',
      mode: 'OSCP_TOKEN',
      fpBaseUrl: fp.baseUrl,
      initialTokenFromFp: 'fp-initial',
    });
    const outcome = await sim.register(peerId);
    expect(outcome).toMatchObject({ status: 'delivered' });

    const ours = await fp.waitFor('register');
    expect(ours.authorization).toBe('Token fp-initial');
    expect(ours.correlationId).toBeUndefined();
    const simToken = (ours.body as { token: string }).token;
    expect(sim.peer(peerId).registration.status).toBe('AWAITING_FP_REGISTER');

    const reply = await client.send(
      {
        kind: 'Register',
        body: { token: 'T-fp', version_url: [{ version: '2.0', base_url: fp.baseUrl }] },
      },
      { scheme: 'Token', token: simToken },
      { correlationId: outcome.requestId },
    );
    expect(reply).toMatchObject({ status: 'delivered' });
    const peer = await sim.waitForPeer(peerId, (p) => p.registration.status === 'REGISTERED');
    expect(peer.tokens.tokenFromFp).toBe('T-fp…');

    await sim.sendHeartbeat(peerId, { intervalSeconds: 30 });
    expect((await fp.waitFor('heartbeat')).authorization).toBe('Token T-fp');
    // No second Register from the simulator: the FP's was the answer.
    expect(fp.received('register')).toHaveLength(1);
  });

  it('records a failed registration when the FP refuses it', async () => {
    fp.answer('register', 403);
    const peerId = sim.addPeer({
      groupId: 'G2',
      mode: 'OSCP_TOKEN',
      fpBaseUrl: fp.baseUrl,
      initialTokenFromFp: 'fp-initial',
    });
    expect(await sim.register(peerId)).toMatchObject({ status: 'rejected', httpStatus: 403 });
    expect(sim.peer(peerId).registration).toMatchObject({
      status: 'FAILED',
      lastOutcome: { status: 'rejected', httpStatus: 403 },
    });
    expect(sim.sentMessages({ endpoint: 'register', peerId })).toHaveLength(1);
  });
});
