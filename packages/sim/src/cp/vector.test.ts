import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newRequestId, parseMessage } from '@openvelope/oscp';
import { CapacityProviderSimulator } from './simulator';
import { FpClient, FpStandIn, ManualClock, rawPost } from './testing';

const NOW = new Date('2030-03-04T10:07:00Z');
const STATIC = { 'fp-id': 'openvelope', apikey: 'k-123' };

let clock: ManualClock;
let sim: CapacityProviderSimulator;
let fp: FpStandIn;
let client: FpClient;
let peerId: string;

beforeEach(async () => {
  clock = new ManualClock(NOW);
  sim = new CapacityProviderSimulator({ clock });
  await sim.start();
  fp = await FpStandIn.start({ oauth: { clientId: 'cp-at-fp', clientSecret: 'cp-secret' } });
  client = new FpClient(sim.oscpBaseUrl);
  peerId = sim.addPeer({
    groupId: 'SITE42',
    mode: 'VECTOR',
    fpBaseUrl: fp.baseUrl,
    oauth: {
      fpTokenUrl: fp.tokenUrl,
      clientId: 'fp-at-cp',
      clientSecret: 'fp-secret',
      outboundClientId: 'cp-at-fp',
      outboundClientSecret: 'cp-secret',
    },
    expectedStaticHeaders: STATIC,
    staticHeadersToSend: { 'x-access-token': 'vector-test' },
    heartbeatIntervalSeconds: 60,
  });
});

afterEach(async () => {
  await sim.stop();
  await fp.stop();
});

async function accessToken(): Promise<string> {
  const response = await fetch(sim.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&client_id=fp-at-cp&client_secret=fp-secret',
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { access_token: string };
  return body.access_token;
}

const assetMeasurements = {
  kind: 'UpdateAssetMeasurements' as const,
  body: {
    group_id: 'SITE42',
    measurements: [
      {
        asset_id: 'SITE42-CHARGING',
        asset_category: 'CHARGING' as const,
        instantaneous_measurement: {
          value: 42,
          phase: 'ALL' as const,
          unit: 'KW' as const,
          measure_time: NOW.toISOString(),
        },
        energy_measurement: {
          value: 10,
          phase: 'ALL' as const,
          unit: 'KWH' as const,
          direction: 'IMPORT' as const,
          measure_time: NOW.toISOString(),
          initial_measure_time: '2030-03-04T10:00:00Z',
        },
      },
    ],
  },
};

describe('OAuth token endpoint', () => {
  it('issues Bearer tokens for form, JSON and Basic client credentials', async () => {
    expect(await accessToken()).toBeTruthy();

    const json = await rawPost(
      sim.tokenUrl,
      { grant_type: 'client_credentials', client_id: 'fp-at-cp', client_secret: 'fp-secret' },
      {},
    );
    expect(json).toMatchObject({
      status: 200,
      body: { access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 },
    });

    const basic = await fetch(sim.tokenUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('fp-at-cp:fp-secret').toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    expect(basic.status).toBe(200);
  });

  it('refuses wrong credentials with 401 invalid_client and records no secret', async () => {
    const wrong = await rawPost(
      sim.tokenUrl,
      { grant_type: 'client_credentials', client_id: 'fp-at-cp', client_secret: 'nope' },
      {},
    );
    expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const unknown = await rawPost(
      sim.tokenUrl,
      { grant_type: 'client_credentials', client_id: 'who', client_secret: 'fp-secret' },
      {},
    );
    expect(unknown.status).toBe(401);
    const recorded = sim.messages({ endpoint: 'oauth_token' });
    expect(recorded.map((r) => r.status)).toEqual([401, 401]);
    expect(JSON.stringify(recorded)).not.toContain('nope');
  });
});

describe('VECTOR inbound authentication', () => {
  it('needs the access token and every static header', async () => {
    const token = await accessToken();
    const bearer = { scheme: 'Bearer' as const, token };

    const noHeaders = await client.send(assetMeasurements, bearer);
    expect(noHeaders).toMatchObject({ status: 'rejected', httpStatus: 403 });
    expect(noHeaders.status === 'rejected' && noHeaders.message).toContain('static header');

    const oneMissing = await client.send(assetMeasurements, bearer, {
      staticHeaders: { 'fp-id': 'openvelope' },
    });
    expect(oneMissing).toMatchObject({
      status: 'rejected',
      httpStatus: 403,
      message: 'static header apikey is missing',
    });

    const wrongValue = await client.send(assetMeasurements, bearer, {
      staticHeaders: { ...STATIC, apikey: 'other' },
    });
    expect(wrongValue).toMatchObject({ status: 'rejected', httpStatus: 403 });

    const everything = await client.send(assetMeasurements, bearer, { staticHeaders: STATIC });
    expect(everything).toMatchObject({ status: 'delivered', httpStatus: 204 });

    const asToken = await client.send(
      assetMeasurements,
      { scheme: 'Token', token },
      { staticHeaders: STATIC },
    );
    expect(asToken).toMatchObject({ status: 'rejected', httpStatus: 403 });
  });

  it('refuses an expired access token', async () => {
    const token = await accessToken();
    clock.advance(3601_000);
    const outcome = await client.send(
      assetMeasurements,
      { scheme: 'Bearer', token },
      { staticHeaders: STATIC },
    );
    expect(outcome).toMatchObject({ status: 'rejected', httpStatus: 403 });
  });

  it('applies the profile: no Register, no group measurements, W/KW instantaneous only', async () => {
    const auth = { scheme: 'Bearer' as const, token: await accessToken() };
    const opts = { staticHeaders: STATIC };
    const register = await client.send(
      {
        kind: 'Register',
        body: { token: 'x', version_url: [{ version: '2.0', base_url: fp.baseUrl }] },
      },
      auth,
      opts,
    );
    expect(register).toMatchObject({ status: 'rejected', httpStatus: 403 });

    const group = await client.send(
      {
        kind: 'UpdateGroupMeasurements',
        body: {
          group_id: 'SITE42',
          measurements: [
            {
              value: 1,
              phase: 'ALL',
              unit: 'KWH',
              direction: 'IMPORT',
              measure_time: NOW.toISOString(),
            },
          ],
        },
      },
      auth,
      opts,
    );
    expect(group).toMatchObject({ status: 'rejected', httpStatus: 400 });

    const amps = structuredClone(assetMeasurements);
    amps.body.measurements[0]!.instantaneous_measurement.unit = 'A' as 'KW';
    const refused = await client.send(amps, auth, opts);
    expect(refused).toMatchObject({ status: 'rejected', httpStatus: 400 });
    expect(refused.status === 'rejected' && refused.message).toContain(
      'measurements[0].instantaneous_measurement.unit',
    );
  });
});

describe('VECTOR outbound', () => {
  it('gets a token from the FP token URL and sends Bearer plus static headers', async () => {
    expect(await sim.sendHeartbeat(peerId, { intervalSeconds: 30 })).toMatchObject({
      status: 'delivered',
    });
    expect(await sim.sendHeartbeat(peerId, { intervalSeconds: 30 })).toMatchObject({
      status: 'delivered',
    });
    const [first, second] = fp.received('heartbeat');
    expect(first?.authorization).toBe('Bearer fp-access-1');
    expect(first?.headers['x-access-token']).toBe('vector-test');
    // The token is cached until it nears expiry.
    expect(second?.authorization).toBe('Bearer fp-access-1');
    expect(fp.issuedTokens).toHaveLength(1);
  });

  it('reports a refused token request as the outcome', async () => {
    const other = sim.addPeer({
      groupId: 'SITE43',
      mode: 'VECTOR',
      fpBaseUrl: fp.baseUrl,
      oauth: { fpTokenUrl: fp.tokenUrl, clientId: 'x', clientSecret: 'wrong' },
    });
    const outcome = await sim.sendHeartbeat(other, { intervalSeconds: 30 });
    expect(outcome).toMatchObject({ status: 'rejected', httpStatus: 401, url: fp.tokenUrl });
    expect(fp.received('heartbeat')).toHaveLength(0);
  });

  it('acknowledges a Handshake started by the FP, with the heartbeat interval it wants', async () => {
    const auth = { scheme: 'Bearer' as const, token: await accessToken() };
    const handshakeId = newRequestId();
    const outcome = await client.send(
      {
        kind: 'Handshake',
        body: {
          required_behaviour: {
            heartbeat_interval: 120,
            measurement_configuration: ['INTERMITTENT'],
          },
        },
      },
      auth,
      { requestId: handshakeId, staticHeaders: STATIC },
    );
    expect(outcome).toMatchObject({ status: 'delivered', httpStatus: 204 });

    const ack = await fp.waitFor('handshake_acknowledge');
    expect(ack.correlationId).toBe(handshakeId);
    expect(parseMessage('HandshakeAcknowledge', ack.body).ok).toBe(true);
    expect(ack.body).toEqual({
      required_behaviour: { heartbeat_interval: 60, measurement_configuration: ['INTERMITTENT'] },
    });
    const peer = await sim.waitForPeer(peerId, (p) => p.handshake.handshaken);
    expect(peer.handshake.requiredByFp).toEqual({
      heartbeat_interval: 120,
      measurement_configuration: ['INTERMITTENT'],
    });
    // The FP asked for 120 s heartbeats: a heartbeat without an explicit interval uses it.
    await sim.sendHeartbeat(peerId);
    const beat = await fp.waitFor('heartbeat');
    expect(beat.body).toEqual({ offline_mode_at: new Date(NOW.getTime() + 240_000).toISOString() });
  });

  it('requires initial_measure_time once INTERMITTENT was asked for', async () => {
    const auth = { scheme: 'Bearer' as const, token: await accessToken() };
    await client.send(
      {
        kind: 'Handshake',
        body: { required_behaviour: { measurement_configuration: ['INTERMITTENT'] } },
      },
      auth,
      { staticHeaders: STATIC },
    );
    await fp.waitFor('handshake_acknowledge');
    await sim.waitForPeer(peerId, (p) => p.handshake.handshaken);
    const without = structuredClone(assetMeasurements) as {
      kind: 'UpdateAssetMeasurements';
      body: {
        group_id: string;
        measurements: { energy_measurement: { initial_measure_time?: string } }[];
      };
    };
    delete without.body.measurements[0]!.energy_measurement.initial_measure_time;
    const outcome = await client.send(without as typeof assetMeasurements, auth, {
      staticHeaders: STATIC,
    });
    expect(outcome).toMatchObject({ status: 'rejected', httpStatus: 400 });
    expect(outcome.status === 'rejected' && outcome.message).toContain(
      'measurements[0].energy_measurement.initial_measure_time',
    );
  });
});
