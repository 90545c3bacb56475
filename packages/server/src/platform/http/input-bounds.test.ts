import { describe, expect, it } from 'vitest';
import { useLifecycleHarness } from '../../testing/lifecycle-harness';
import { OSCP_FP_PREFIX } from '../../oscp/http/protocol-routes';

// Every input the issue found reaching the database unchecked, and what it gets now: a 400 that
// names the field, with nothing stored. The fuzz suite (testing/fuzz/) covers the rest at random.

const h = useLifecycleHarness();
const HOUR = 3_600_000;

function at(offsetMs: number): string {
  return new Date(h.ctx.clock.now().getTime() + offsetMs).toISOString();
}

describe('OSCP messages out of bounds', () => {
  it('are refused with 400 naming the field, and nothing is stored', async () => {
    const { id, peerId, group } = await h.handshaken();
    const authorization = `Token ${h.peerToken(peerId)}`;
    const block = { capacity: 40, phase: 'ALL', unit: 'A', start_time: at(0), end_time: at(HOUR) };
    const forecast = (over: Record<string, unknown>, groupId = group) => ({
      group_id: groupId,
      type: 'CONSUMPTION',
      forecasted_blocks: [{ ...block, ...over }],
    });
    const cases: [string, Parameters<typeof h.post>[1], string][] = [
      [
        'update_group_capacity_forecast',
        { body: forecast({ capacity: 1.7e308, unit: 'KW' }) },
        'forecasted_blocks[0].capacity: must be at most 1000000 KW',
      ],
      [
        'update_group_capacity_forecast',
        { body: forecast({ start_time: '0000-01-01T00:00:00Z' }) },
        'forecasted_blocks[0].start_time: must be within 10 years of now',
      ],
      [
        'update_group_capacity_forecast',
        { body: forecast({ end_time: '9999-12-31T23:59:59-01:00' }) },
        'forecasted_blocks[0].end_time: must fall in the years 0000 to 9999 (UTC)',
      ],
      [
        'heartbeat',
        { body: { offline_mode_at: '9999-12-31T23:59:59-01:00' } },
        'offline_mode_at: must fall in the years 0000 to 9999 (UTC)',
      ],
      [
        'update_group_capacity_forecast',
        { requestId: 'r'.repeat(3000), body: forecast({}) },
        'X-Request-ID must be at most 128 characters (got 3000).',
      ],
      [
        'update_group_capacity_forecast',
        { body: forecast({}, '\u0000') },
        'group_id: must not contain NUL characters',
      ],
    ];
    for (const [endpoint, options, message] of cases) {
      const answer = await h.post(`${OSCP_FP_PREFIX}/${endpoint}`, { authorization, ...options });
      expect(answer, message).toEqual({ status: 400, body: { message } });
    }
    const stored = await h.ctx.db
      .selectFrom('oscp_forecast_blocks')
      .select('request_id')
      .where('connection_id', '=', id)
      .execute();
    expect(stored).toEqual([]);
    expect(await h.auditEvents(id, 'OscpForecastAccepted')).toEqual([]);
  });

  it('a person’s token naming the connection badly, or twice, is refused with 400', async () => {
    const { id } = await h.handshaken();
    const token = await h.apiToken('MANAGER');
    const heartbeat = (query: string) =>
      h.post(`${OSCP_FP_PREFIX}/heartbeat${query}`, {
        authorization: `Bearer ${token}`,
        body: { offline_mode_at: at(60_000) },
      });
    expect(await heartbeat('?connection_id=zzz')).toEqual({
      status: 400,
      body: { message: 'connection_id must be a UUID.' },
    });
    expect(await heartbeat(`?connection_id=${id}&connection_id=${id}`)).toEqual({
      status: 400,
      body: { message: 'connection_id: give this query parameter once' },
    });
    expect((await heartbeat(`?connection_id=${id}`)).status).toBe(204);
  });

  it('the token endpoint answers unreadable Basic credentials with invalid_request', async () => {
    const response = await fetch(`${h.baseUrl}/oauth2/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('%zz:%zz').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
  });
});

describe('management requests out of bounds', () => {
  async function expectField(
    method: 'POST' | 'PATCH' | 'GET',
    url: string,
    body: unknown,
    field: string,
    message: string,
  ) {
    const response = await h.ctx.request({ method, url, cookie: h.manager, body });
    expect(response.statusCode, `${url}: ${response.body}`).toBe(400);
    expect(response.json().errors).toContainEqual({ field, message });
  }

  it('are refused with 400 naming the field, and the scope’s envelopes stay readable', async () => {
    const { scopeId, circuitId } = h.ids;
    const envelope = (importLimit: unknown, start = at(0), end = at(HOUR)) => ({
      source: 'test',
      blocks: [{ start, end, importLimit }],
    });
    const envelopes = `/api/scopes/${scopeId}/envelopes`;
    await expectField(
      'POST',
      envelopes,
      envelope({ value: 1.7e308, unit: 'KW' }),
      'blocks.0.importLimit.value',
      'must be at most 1000000 KW',
    );
    await expectField(
      'POST',
      envelopes,
      envelope({ value: 10, unit: 'A' }, '0000-01-01T00:00:00Z'),
      'blocks.0.start',
      'must be within 10 years of now',
    );
    await expectField(
      'POST',
      envelopes,
      envelope({ value: 10, unit: 'A' }, at(0), '9999-12-31T23:59:59-01:00'),
      'blocks.0.end',
      'must fall in the years 0000 to 9999 (UTC)',
    );
    const list = await h.ctx.request({
      method: 'GET',
      url: `${envelopes}?status=all`,
      cookie: h.manager,
    });
    expect(list.statusCode).toBe(200);

    const circuit = await h.ctx.request({
      method: 'GET',
      url: `/api/circuits/${circuitId}`,
      cookie: h.manager,
    });
    const free = (circuit.json().chargers as { id: string; session: unknown }[]).find(
      (c) => !c.session,
    )!;
    await expectField(
      'POST',
      `/api/chargers/${free.id}/sessions`,
      { vehicleMaxCurrentA: 1e21 },
      'vehicleMaxCurrentA',
      'must be at most 100000 A',
    );
    await expectField(
      'PATCH',
      `/api/chargers/${free.id}`,
      { priority: 3e9 },
      'priority',
      'must be at most 1000',
    );
    await expectField(
      'POST',
      '/api/meter-values',
      {
        readings: [
          {
            chargerId: free.id,
            measuredAt: '0000-01-01T00:00:00Z',
            energyWh: 1,
            powerW: 1,
            currentA: 1,
          },
        ],
      },
      'readings.0.measuredAt',
      'must be within 10 years of now',
    );
    await expectField(
      'POST',
      '/api/microgrids',
      { name: 'a\u0000b', timezone: 'UTC' },
      'name',
      'must not contain NUL characters',
    );
    await expectField(
      'GET',
      '/api/oscp-refusals?source=%00',
      undefined,
      'source',
      'must not contain NUL characters',
    );
    await expectField(
      'GET',
      '/api/notifications?limit=1&limit=2',
      undefined,
      'limit',
      'give this query parameter once',
    );
  });

  it('an adjustment request far away or too large is refused naming the field', async () => {
    const { id } = await h.handshaken();
    const url = `/api/oscp-connections/${id}/adjustment-requests`;
    const block = { start: at(0), end: at(HOUR), capacity: 10, unit: 'KW' };
    await expectField(
      'POST',
      url,
      { blocks: [{ ...block, start: '0000-01-01T00:00:00Z' }] },
      'blocks.0.start',
      'must be within 10 years of now',
    );
    await expectField(
      'POST',
      url,
      { blocks: [{ ...block, end: '9999-12-31T23:59:59-01:00' }] },
      'blocks.0.end',
      'must fall in the years 0000 to 9999 (UTC)',
    );
    await expectField(
      'POST',
      url,
      { blocks: [{ ...block, capacity: 1e21, unit: 'W' }] },
      'blocks.0.capacity',
      'must be at most 1000000000 W',
    );
    expect((await h.outbox(id)).filter((m) => m.kind === 'AdjustGroupCapacityForecast')).toEqual(
      [],
    );
  });
});
