import { describe, expect, it } from 'vitest';
import { publicationDelayMs } from '../app/measurements';
import type { MeasurementList, PublicationView } from '../contract';
import { useLifecycleHarness } from '../../testing/lifecycle-harness';

// The measurement history: every published window with its values, the message as sent and its
// delivery, by time range and page, as JSON and CSV; and every publication's body.

const h = useLifecycleHarness();
const MIN = 60_000;
const T0 = Date.parse('2026-03-02T09:00:00Z');
const wire = (ms: number) => new Date(ms).toISOString();

async function get(url: string) {
  return h.ctx.request({ method: 'GET', url, cookie: await h.ctx.signIn('VIEWER') });
}

/**
 * A connection publishing every minute (INTERMITTENT), with one reading of 100 Wh more in each
 * minute, that has published the windows ending 09:01 … 09:0<count>. The peer refuses the one
 * ending at `refused`.
 */
async function publishedMinutes(count: number, refused?: number) {
  const made = await h.registered({
    connection: {
      measurementConfiguration: 'INTERMITTENT',
      measurementPublicationIntervalSeconds: 60,
      measurementAlignment: 'CLOCK_HOUR',
    },
    peer: { measurementConfiguration: ['INTERMITTENT'] },
  });
  await h.sim.sendHandshake(made.peerId, {
    heartbeatIntervalSeconds: 3600,
    measurementConfiguration: ['INTERMITTENT'],
  });
  await h.phaseBecomes(made.id, 'HANDSHAKEN');
  const [session] = await h.ctx.db
    .selectFrom('charging_sessions as s')
    .innerJoin('chargers as c', 'c.id', 's.charger_id')
    .select(['c.id as chargerId'])
    .where('c.circuit_id', '=', h.ids.circuitId)
    .where('s.ended_at', 'is', null)
    .orderBy('c.name')
    .limit(1)
    .execute();
  for (let n = 1; n <= count; n += 1) {
    await h.ctx.app.microgrid.charging.recordMeterValues(
      [
        {
          chargerId: session!.chargerId,
          measuredAt: new Date(T0 + n * MIN - 30_000),
          energyWh: n * 100,
          powerW: 6_000 + n,
          currentA: 9,
        },
      ],
      h.ctx.clock.now(),
    );
    if (n === refused) {
      h.sim.setFault({
        endpoint: 'update_group_measurements',
        status: 400,
        message: 'window rejected',
        times: 1,
      });
    }
    h.ctx.clock.set(new Date(T0 + n * MIN + publicationDelayMs(made.id, 60)));
    await h.settleUntil(`window ${n} answered`, async () =>
      h.sim.messages({ endpoint: 'update_group_measurements', peerId: made.peerId }).length === n
        ? true
        : undefined,
    );
    await h.ctx.app.settle();
  }
  return made;
}

describe('the measurement history API', () => {
  it('lists every window newest first with its values, the message as sent and its delivery', async () => {
    const { id, peerId } = await publishedMinutes(5, 4);
    const response = await get(`/api/oscp-connections/${id}/measurements`);
    expect(response.statusCode, response.body).toBe(200);
    const list: MeasurementList = response.json();
    expect(list.total).toBe(5);
    expect(list.cadence).toEqual({
      mode: 'GROUP',
      configuration: 'INTERMITTENT',
      intervalSeconds: 60,
      alignment: 'CLOCK_HOUR',
      instantaneousUnit: 'KW',
      reportingAssetId: null,
      nextWindowEnd: wire(T0 + 6 * MIN),
    });
    expect(list.items.map((m) => m.windowEnd)).toEqual(
      [5, 4, 3, 2, 1].map((n) => wire(T0 + n * MIN)),
    );
    expect(list.latest).toEqual(list.items[0]);

    const received = h.sim.messages({ endpoint: 'update_group_measurements', peerId });
    const third = list.items.find((m) => m.windowEnd === wire(T0 + 3 * MIN))!;
    expect(third).toMatchObject({
      kind: 'UpdateGroupMeasurements',
      configuration: 'INTERMITTENT',
      windowStart: wire(T0 + 2 * MIN),
      energyWh: 100,
      registerWh: 300,
      maxLoadW: 6_003,
      maxLoadAt: wire(T0 + 3 * MIN - 30_000),
      readings: 1,
      delivery: { status: 'DELIVERED', attempts: 1, lastError: null, lastHttpStatus: 204 },
    });
    // The message as the peer received it, under the same request id.
    const atPeer = received.find((r) => r.requestId === third.requestId)!;
    expect(third.body).toEqual(atPeer.body);

    const fourth = list.items.find((m) => m.windowEnd === wire(T0 + 4 * MIN))!;
    expect(fourth.delivery).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      lastHttpStatus: 400,
      lastError: expect.stringContaining('window rejected'),
    });
  });

  it('answers "what did we report for 09:02–09:04" by time range, a page at a time', async () => {
    const { id } = await publishedMinutes(5);
    const range = `from=${wire(T0 + 2 * MIN)}&to=${wire(T0 + 4 * MIN)}`;
    const inRange: MeasurementList = (
      await get(`/api/oscp-connections/${id}/measurements?${range}`)
    ).json();
    expect(inRange.total).toBe(2);
    expect(inRange.items.map((m) => [m.windowStart, m.windowEnd, m.energyWh])).toEqual([
      [wire(T0 + 3 * MIN), wire(T0 + 4 * MIN), 100],
      [wire(T0 + 2 * MIN), wire(T0 + 3 * MIN), 100],
    ]);
    // The latest stays the latest whatever the range.
    expect(inRange.latest?.windowEnd).toBe(wire(T0 + 5 * MIN));

    const page: MeasurementList = (
      await get(`/api/oscp-connections/${id}/measurements?limit=2&offset=1`)
    ).json();
    expect(page.total).toBe(5);
    expect(page.items.map((m) => m.windowEnd)).toEqual([wire(T0 + 4 * MIN), wire(T0 + 3 * MIN)]);
  });

  it('exports a range as CSV, oldest first, one line per window with the message', async () => {
    const { id } = await publishedMinutes(3);
    const response = await get(
      `/api/oscp-connections/${id}/measurements.csv?from=${wire(T0 + MIN)}`,
    );
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="measurements-${id}.csv"`,
    );
    const lines = response.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'window_start,window_end,kind,configuration,energy_wh,register_wh,max_load_w,max_load_at,readings,request_id,delivery_status,attempts,delivered_at,last_http_status,last_error,message',
    );
    expect(lines).toHaveLength(3);
    const [start, end, kind, configuration, energy, register] = lines[1]!.split(',');
    expect([start, end, kind, configuration, energy, register]).toEqual([
      wire(T0 + MIN),
      wire(T0 + 2 * MIN),
      'UpdateGroupMeasurements',
      'INTERMITTENT',
      '100',
      '200',
    ]);
    // The message is one quoted field, its quotes doubled.
    expect(lines[1]).toContain(`"{""group_id"":`);
    expect(lines[1]).toContain(`""initial_measure_time"":""${wire(T0 + MIN)}""`);
  });

  it('refuses a bad range, page or id with a problem naming the field', async () => {
    const { id } = await publishedMinutes(1);
    const cases: [string, number, string][] = [
      [`/api/oscp-connections/${id}/measurements?from=yesterday`, 400, 'from'],
      [`/api/oscp-connections/${id}/measurements?from=2026-03-02T09:00:00`, 400, 'from'],
      [`/api/oscp-connections/${id}/measurements?from=${wire(T0 + MIN)}&to=${wire(T0)}`, 400, 'to'],
      [`/api/oscp-connections/${id}/measurements?limit=0`, 400, 'limit'],
      [`/api/oscp-connections/${id}/measurements?limit=201`, 400, 'limit'],
      [`/api/oscp-connections/${id}/measurements.csv?to=soon`, 400, 'to'],
      ['/api/oscp-connections/not-a-uuid/measurements', 400, 'id'],
    ];
    for (const [url, status, field] of cases) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(status);
      expect(
        (response.json().errors as { field: string }[]).map((e) => e.field),
        url,
      ).toEqual([field]);
    }
    const unknown = await get(
      '/api/oscp-connections/00000000-0000-4000-8000-000000000001/measurements.csv',
    );
    expect(unknown.statusCode).toBe(404);
  });
});

describe('publications', () => {
  it('show every message’s body, and filter by each kind we send (any other is refused)', async () => {
    const { id } = await publishedMinutes(1);
    const all: { items: PublicationView[] } = (
      await get(`/api/oscp-connections/${id}/publications?limit=200`)
    ).json();
    const kinds = new Set(all.items.map((p) => p.kind));
    expect(kinds).toEqual(
      new Set(['Register', 'HandshakeAcknowledge', 'Heartbeat', 'UpdateGroupMeasurements']),
    );
    for (const publication of all.items) expect(Object.keys(publication.body)).not.toHaveLength(0);
    const register = all.items.find((p) => p.kind === 'Register')!;
    // Our token appears as the reference filled in at send time, never the value.
    expect(register.body).toEqual({
      version_url: [{ version: '2.0', base_url: h.fpBaseUrl }],
      token: { $secret: expect.any(String) },
    });
    const measured: { items: PublicationView[] } = (
      await get(`/api/oscp-connections/${id}/publications?kind=UpdateGroupMeasurements`)
    ).json();
    expect(measured.items).toHaveLength(1);
    expect(measured.items[0]!.body).toMatchObject({ measurements: [{ value: 100 }] });

    const unknown = await get(`/api/oscp-connections/${id}/publications?kind=Gossip`);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors[0].field).toBe('kind');
  });
});
