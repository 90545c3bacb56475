import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOscpClient, newRequestId } from '@openvelope/oscp';
import { CapacityProviderSimulator } from './simulator';
import { FpClient, FpStandIn, rawPost, registerFpFirst } from './testing';

let sim: CapacityProviderSimulator;
let fp: FpStandIn;
let client: FpClient;
let peerId: string;
let token: string;

beforeEach(async () => {
  sim = new CapacityProviderSimulator();
  await sim.start();
  fp = await FpStandIn.start();
  client = new FpClient(sim.oscpBaseUrl);
  peerId = sim.addPeer({ groupId: 'G1', mode: 'OSCP_TOKEN', initialTokenForFp: 'initial-1' });
  ({ simToken: token } = await registerFpFirst(sim, fp, client, {
    peerId,
    initialToken: 'initial-1',
  }));
});

afterEach(async () => {
  await sim.stop();
  await fp.stop();
});

const heartbeatBody = { offline_mode_at: '2030-01-01T00:00:00Z' };
const heartbeat = { kind: 'Heartbeat' as const, body: heartbeatBody };

describe('authentication', () => {
  it('answers 401 without Authorization and 403 for an unknown token, wrong scheme or no X-Request-ID', async () => {
    const url = `${sim.oscpBaseUrl}/heartbeat`;
    const id = { 'x-request-id': newRequestId() };
    expect(await rawPost(url, heartbeatBody, id)).toEqual({
      status: 401,
      body: { message: 'Authorization header is missing' },
    });
    expect(await rawPost(url, heartbeatBody, { ...id, authorization: 'Token nope' })).toMatchObject(
      {
        status: 403,
        body: { message: expect.stringContaining('unknown token') },
      },
    );
    expect(
      await rawPost(url, heartbeatBody, { ...id, authorization: `Basic ${token}` }),
    ).toMatchObject({
      status: 403,
      body: { message: expect.any(String) },
    });
    expect(
      await rawPost(url, heartbeatBody, { ...id, authorization: `Bearer ${token}` }),
    ).toMatchObject({
      status: 403,
    });
    expect(await rawPost(url, heartbeatBody, { authorization: `Token ${token}` })).toEqual({
      status: 403,
      body: { message: 'X-Request-ID header is missing' },
    });
    expect(await rawPost(url, heartbeatBody, { ...id, authorization: `Token ${token}` })).toEqual({
      status: 204,
      body: null,
    });
  });

  it('refuses a group that is not the peer group, and unknown endpoints', async () => {
    const outcome = await client.send(
      {
        kind: 'AdjustGroupCapacityForecast',
        body: {
          group_id: 'OTHER',
          type: 'CONSUMPTION',
          forecasted_blocks: [
            {
              capacity: 10,
              phase: 'ALL',
              unit: 'KW',
              start_time: '2030-01-01T00:00:00Z',
              end_time: '2030-01-01T00:15:00Z',
            },
          ],
        },
      },
      { scheme: 'Token', token },
    );
    expect(outcome).toMatchObject({ status: 'rejected', httpStatus: 403 });
    const unknown = await rawPost(
      `${sim.oscpBaseUrl}/update_group_capacity_forecast`,
      {},
      {
        authorization: `Token ${token}`,
        'x-request-id': newRequestId(),
      },
    );
    expect(unknown).toMatchObject({ status: 404, body: { message: expect.any(String) } });
  });
});

describe('validation', () => {
  it('answers 400 naming the offending field', async () => {
    const headers = { authorization: `Token ${token}`, 'x-request-id': newRequestId() };
    const bad = await rawPost(
      `${sim.oscpBaseUrl}/heartbeat`,
      { offline_mode_at: 'tomorrow' },
      headers,
    );
    expect(bad.status).toBe(400);
    expect((bad.body as { message: string }).message).toMatch(/^offline_mode_at: /);

    const negative = await rawPost(
      `${sim.oscpBaseUrl}/adjust_group_capacity_forecast`,
      {
        group_id: 'G1',
        type: 'CONSUMPTION',
        forecasted_blocks: [
          {
            capacity: -1,
            phase: 'ALL',
            unit: 'KW',
            start_time: '2030-01-01T00:00:00Z',
            end_time: '2030-01-01T00:15:00Z',
          },
        ],
      },
      headers,
    );
    expect(negative).toEqual({
      status: 400,
      body: { message: 'forecasted_blocks[0].capacity: must be >= 0' },
    });

    const notJson = await rawPost(`${sim.oscpBaseUrl}/heartbeat`, '{oops', headers);
    expect(notJson).toMatchObject({ status: 400, body: { message: expect.any(String) } });
  });

  it('checks the compliance error correlation against forecasts it sent', async () => {
    const auth = { scheme: 'Token' as const, token };
    const error = {
      kind: 'GroupCapacityComplianceError' as const,
      body: { message: 'cannot comply' },
    };
    expect(await client.send(error, auth)).toMatchObject({ status: 'rejected', httpStatus: 400 });
    expect(await client.send(error, auth, { correlationId: 'not-ours' })).toMatchObject({
      status: 'rejected',
      httpStatus: 400,
    });
    const forecast = await sim.sendForecast(peerId, {
      type: 'CONSUMPTION',
      blocks: [
        {
          start: '2030-01-01T00:00:00Z',
          end: '2030-01-01T00:15:00Z',
          capacity: 5,
          unit: 'KW',
          phase: 'ALL',
        },
      ],
    });
    expect(await client.send(error, auth, { correlationId: forecast.requestId })).toMatchObject({
      status: 'delivered',
    });
  });
});

describe('fault injection', () => {
  it('answers the injected status, for a limited number of requests when asked', async () => {
    sim.setFault({ endpoint: 'heartbeat', status: 503, message: 'maintenance', times: 1 });
    const auth = { scheme: 'Token' as const, token };
    expect(await client.send(heartbeat, auth)).toMatchObject({
      status: 'failed',
      reason: 'server_error',
      httpStatus: 503,
      message: 'maintenance',
    });
    expect(await client.send(heartbeat, auth)).toMatchObject({ status: 'delivered' });
    expect(sim.faults()).toEqual([]);
  });

  it('delays answers, and a slow answer becomes a client timeout', async () => {
    const auth = { scheme: 'Token' as const, token };
    sim.setFault({ endpoint: '*', delayMs: 150 });
    const slow = await client.send(heartbeat, auth);
    expect(slow).toMatchObject({ status: 'delivered' });
    expect(slow.status === 'delivered' && slow.durationMs).toBeGreaterThanOrEqual(140);

    sim.setFault({ endpoint: 'heartbeat', delayMs: 2000, status: 500 });
    const impatient = createOscpClient({ timeoutMs: 100 });
    const timedOut = await impatient.send(
      { baseUrl: sim.oscpBaseUrl, authorization: auth },
      heartbeat,
      { requestId: newRequestId() },
    );
    expect(timedOut).toMatchObject({ status: 'failed', reason: 'timeout' });

    sim.clearFaults();
    const fast = await client.send(heartbeat, auth);
    expect(fast).toMatchObject({ status: 'delivered' });
  });

  it('can fault the OAuth token endpoint', async () => {
    sim.setFault({ endpoint: 'oauth_token', status: 503 });
    const response = await rawPost(sim.tokenUrl, { grant_type: 'client_credentials' }, {});
    expect(response.status).toBe(503);
  });
});

describe('recording', () => {
  it('records requests with redacted Authorization and de-duplicates by X-Request-ID', async () => {
    sim.clearMessages();
    const auth = { scheme: 'Token' as const, token };
    const requestId = newRequestId();
    await client.send(heartbeat, auth, { requestId });
    await client.send(heartbeat, auth, { requestId }); // a retry
    await client.send(heartbeat, auth);

    const recorded = sim.messages({ endpoint: 'heartbeat' });
    expect(recorded).toHaveLength(3);
    expect(recorded.map((r) => r.duplicate)).toEqual([false, true, false]);
    expect(recorded[0]).toMatchObject({
      endpoint: 'heartbeat',
      method: 'POST',
      status: 204,
      peerId,
      requestId,
      body: heartbeatBody,
    });
    expect(recorded[0]?.headers.authorization).toBe(`Token ${token.slice(0, 4)}…`);
    expect(recorded[0]?.headers['x-request-id']).toBe(requestId);
    expect(JSON.stringify(recorded)).not.toContain(token);
    expect(sim.uniqueRequestIds('heartbeat')).toHaveLength(2);
    expect(sim.messages({ peerId: 'G1' })).toHaveLength(3);
  });

  it('records refused requests too, and outbound messages with their outcome', async () => {
    sim.clearMessages();
    await rawPost(`${sim.oscpBaseUrl}/heartbeat`, heartbeatBody, { 'x-request-id': 'r-1' });
    expect(sim.messages()).toMatchObject([
      { endpoint: 'heartbeat', status: 401, requestId: 'r-1' },
    ]);

    await sim.sendHeartbeat(peerId, { intervalSeconds: 60 });
    const [sent] = sim.sentMessages({ endpoint: 'heartbeat', peerId });
    expect(sent).toMatchObject({
      endpoint: 'heartbeat',
      peerId,
      body: { offline_mode_at: expect.any(String) },
      outcome: { status: 'delivered', httpStatus: 204 },
    });
    expect(sim.sentMessages()).toHaveLength(1);
  });

  it('lets a test wait for the next matching message without sleeping', async () => {
    const since = sim.lastSeq;
    const waiting = sim.waitForMessage({ endpoint: 'heartbeat', peerId, since });
    await client.send(heartbeat, { scheme: 'Token', token });
    expect(await waiting).toMatchObject({ endpoint: 'heartbeat', status: 204 });
  });
});
