import { describe, expect, it } from 'vitest';
import { OSCP_FP_PREFIX } from './protocol-routes';
import { useLifecycleHarness } from '../../testing/lifecycle-harness';

// A repeated X-Request-ID from the same peer is acknowledged and applied at most once: the claim of
// the request id and the decision share one transaction. Runs on PGlite and, with DATABASE_URL, on
// PostgreSQL, where the concurrent repeats really race.

const h = useLifecycleHarness();

function forecastBody(group: string, blocks: [number, number, number][]) {
  const now = h.ctx.clock.now().getTime();
  return {
    group_id: group,
    type: 'CONSUMPTION',
    forecasted_blocks: blocks.map(([from, to, amps]) => ({
      capacity: amps,
      phase: 'ALL',
      unit: 'A',
      start_time: new Date(now + from * 60_000).toISOString(),
      end_time: new Date(now + to * 60_000).toISOString(),
    })),
  };
}

async function accepted(id: string, requestId: string) {
  return (await h.auditEvents(id, 'OscpForecastAccepted')).filter(
    (e) => e.data.requestId === requestId,
  );
}

describe('a repeated X-Request-ID', () => {
  it('repeats of a forecast are answered 204 and applied once', async () => {
    const { id, peerId, group } = await h.handshaken();
    const post = () =>
      h.post(`${OSCP_FP_PREFIX}/update_group_capacity_forecast`, {
        authorization: `Token ${h.peerToken(peerId)}`,
        requestId: 'forecast-1',
        body: forecastBody(group, [[0, 60, 40]]),
      });
    expect((await post()).status).toBe(204);
    expect((await post()).status).toBe(204);
    expect(await accepted(id, 'forecast-1')).toHaveLength(1);
    const inbound = await h.ctx.db
      .selectFrom('oscp_inbound_requests')
      .select('request_id')
      .where('connection_id', '=', id)
      .where('request_id', '=', 'forecast-1')
      .execute();
    expect(inbound).toHaveLength(1);
  });

  it('ten concurrent repeats of a forecast are all answered 204 and applied once', async () => {
    const { id, peerId, group } = await h.handshaken();
    const body = forecastBody(group, [[0, 60, 35]]);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        h.post(`${OSCP_FP_PREFIX}/update_group_capacity_forecast`, {
          authorization: `Token ${h.peerToken(peerId)}`,
          requestId: 'forecast-burst',
          body,
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(204));
    expect(await accepted(id, 'forecast-burst')).toHaveLength(1);
    const stored = await h.ctx.db
      .selectFrom('oscp_forecast_blocks')
      .select('request_id')
      .where('connection_id', '=', id)
      .execute();
    expect(stored).toEqual([{ request_id: 'forecast-burst' }]);
  });

  it('a repeat of a refused message is judged again: refused while not ready, applied once when ready', async () => {
    const { id, peerId, group } = await h.registered();
    const post = () =>
      h.post(`${OSCP_FP_PREFIX}/update_group_capacity_forecast`, {
        authorization: `Token ${h.peerToken(peerId)}`,
        requestId: 'too-early',
        body: forecastBody(group, [[0, 60, 30]]),
      });
    expect((await post()).status).toBe(403);
    expect(await accepted(id, 'too-early')).toHaveLength(0);

    await h.sim.sendHandshake(peerId, {
      heartbeatIntervalSeconds: 60,
      measurementConfiguration: ['CONTINUOUS'],
    });
    await h.phaseBecomes(id, 'HANDSHAKEN');
    expect((await post()).status).toBe(204);
    expect((await post()).status).toBe(204);
    expect(await accepted(id, 'too-early')).toHaveLength(1);
    // Each refusal is audited once; the duplicate after acceptance is not a refusal.
    const refused = (await h.refusals(id)).filter((r) => r.requestId === 'too-early');
    expect(refused.map((r) => r.status)).toEqual([403]);
  });

  it('a message refused for what it says stays refused on every repeat and changes nothing', async () => {
    const { id, peerId, group } = await h.handshaken();
    const post = () =>
      h.post(`${OSCP_FP_PREFIX}/update_group_capacity_forecast`, {
        authorization: `Token ${h.peerToken(peerId)}`,
        requestId: 'overlapping',
        body: forecastBody(group, [
          [0, 30, 30],
          [15, 45, 30],
        ]),
      });
    expect((await post()).status).toBe(400);
    expect((await post()).status).toBe(400);
    expect(await accepted(id, 'overlapping')).toHaveLength(0);
    expect((await h.auditEvents(id, 'OscpForecastRejected')).map((e) => e.data.requestId)).toEqual([
      'overlapping',
      'overlapping',
    ]);
  });

  it('a repeated Handshake is acknowledged once', async () => {
    const { id, peerId } = await h.registered();
    const post = () =>
      h.post(`${OSCP_FP_PREFIX}/handshake`, {
        authorization: `Token ${h.peerToken(peerId)}`,
        requestId: 'their-handshake',
        body: { required_behaviour: { heartbeat_interval: 60, measurement_configuration: [] } },
      });
    expect((await post()).status).toBe(204);
    expect((await post()).status).toBe(204);
    const acknowledgements = (await h.outbox(id)).filter((m) => m.kind === 'HandshakeAcknowledge');
    expect(acknowledgements.map((m) => m.correlation_id)).toEqual(['their-handshake']);
    expect(
      (await h.connectionEvents(id, 'OscpHandshakeReceived')).map((e) => e.data.requestId),
    ).toEqual(['their-handshake']);
  });

  it('ten concurrent repeats of a first Register issue one token and one Register of ours', async () => {
    const { id, group } = await h.tokenExchange();
    await h.enable(id);
    const issued = await h.ctx.request({
      method: 'POST',
      url: `/api/oscp-connections/${id}/initial-token`,
      cookie: h.manager,
    });
    expect(issued.statusCode, issued.body).toBe(201);
    const initialToken = issued.json().token as string;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        h.post(`${OSCP_FP_PREFIX}/register`, {
          authorization: `Token ${initialToken}`,
          requestId: `register-${group}`,
          body: {
            token: 'cp-token',
            version_url: [{ version: '2.0', base_url: h.sim.oscpBaseUrl }],
          },
        }),
      ),
    );
    // The first applies; repeats that arrive after the initial token was retired are refused
    // by authentication, those that raced it are answered as the first. None is applied again.
    const statuses = answers.map((a) => a.status);
    expect(statuses).toContain(204);
    expect(statuses.every((s) => s === 204 || s === 403)).toBe(true);
    const started = await h.connectionEvents(id, 'OscpRegistrationStarted');
    expect(started.filter((e) => e.data.initiatedBy === 'CAPACITY_PROVIDER')).toHaveLength(1);
    expect(await h.connectionEvents(id, 'OscpPeerRegistered')).toHaveLength(1);
    const replies = (await h.outbox(id)).filter(
      (m) => m.kind === 'Register' && m.correlation_id === `register-${group}`,
    );
    expect(replies).toHaveLength(1);
    const liveTokens = await h.ctx.db
      .selectFrom('oscp_peer_credentials')
      .select('id')
      .where('connection_id', '=', id)
      .where('kind', '=', 'TOKEN')
      .where('revoked_at', 'is', null)
      .execute();
    expect(liveTokens).toHaveLength(1);
  });
});
