import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { CIRCUIT_REFRESH_WORK } from '../../microgrid/app/capacity-refresh';
import { scheduleWork } from '../../platform/scheduler/scheduler';
import { useLifecycleHarness } from '../../testing/lifecycle-harness';
import { CONTROL_WORK } from '../app/control';
import { OFFLINE_CHECK_WORK } from '../app/lifecycle';
import { OSCP_FP_PREFIX } from './protocol-routes';

// Valid and invalid messages of every kind sent to one connection at once, while its due work
// (liveness check, block-boundary re-evaluation, circuit refresh) runs beside them. On PostgreSQL
// the transactions really overlap; on PGlite they queue. Either way: no 5xx, and every valid
// message is applied exactly once.

const h = useLifecycleHarness();

interface Message {
  endpoint: string;
  requestId?: string;
  body: unknown;
  authorization?: string;
  /** Applied (204) when true; refused with a 4xx when false. */
  valid: boolean;
}

const minutes = (n: number) => n * 60_000;

function at(offsetMs: number): string {
  return new Date(h.ctx.clock.now().getTime() + offsetMs).toISOString();
}

function forecast(group: string, fromMin: number, toMin: number, amps: number) {
  return {
    group_id: group,
    type: 'CONSUMPTION',
    forecasted_blocks: [
      {
        capacity: amps,
        phase: 'ALL',
        unit: 'A',
        start_time: at(minutes(fromMin)),
        end_time: at(minutes(toMin)),
      },
    ],
  };
}

/**
 * Keeps due work running until `until` settles (or each loop ran `rounds` times), on `workers`
 * loops side by side.
 */
async function dueWorkDuring(
  until: Promise<unknown>,
  connectionId: string,
  workers = 4,
  rounds = 25,
) {
  let done = false;
  void until.finally(() => (done = true));
  const now = h.ctx.clock.now();
  const book = async () => {
    await scheduleWork(h.ctx.db, { kind: OFFLINE_CHECK_WORK, key: connectionId, dueAt: now }, now);
    await scheduleWork(h.ctx.db, { kind: CONTROL_WORK, key: connectionId, dueAt: now }, now);
    await scheduleWork(
      h.ctx.db,
      { kind: CIRCUIT_REFRESH_WORK, key: h.ids.circuitId, dueAt: now },
      now,
    );
  };
  let ran = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let i = 0; i < rounds && !done; i += 1) {
        await book();
        ran += await h.ctx.app.scheduler.runDue();
        ran += await h.ctx.app.oscp.dispatcher.runDue();
      }
    }),
  );
  return ran;
}

async function sendAll(messages: Message[]) {
  return Promise.all(
    messages.map(async (m) => {
      const answer = await h.post(`${OSCP_FP_PREFIX}/${m.endpoint}`, {
        ...(m.authorization ? { authorization: m.authorization } : {}),
        ...(m.requestId !== undefined ? { requestId: m.requestId } : {}),
        headers: m.requestId === '' ? { 'x-request-id': '' } : {},
        body: m.body,
      });
      return { message: m, status: answer.status };
    }),
  );
}

describe('concurrent inbound messages on one connection, with its due work running', () => {
  it('answer no 5xx and apply each valid message once', async () => {
    const { id, peerId, group } = await h.handshaken({ heartbeatIntervalSeconds: 60 });
    const token = `Token ${h.peerToken(peerId)}`;
    // ONLINE, with an offline_mode_at well after the burst: the liveness checks find it alive.
    expect(
      (
        await h.post(`${OSCP_FP_PREFIX}/heartbeat`, {
          authorization: token,
          body: { offline_mode_at: at(minutes(30)) },
        })
      ).status,
    ).toBe(204);

    // The refusal log is full for this source: each refusal also prunes its oldest rows.
    const now = h.ctx.clock.now();
    await sql`
      INSERT INTO oscp_inbound_refusals (minute, first_at, last_at, source, endpoint, status,
        reason, reason_key, connection_key)
      SELECT ${now}, ${now}, ${now}, '127.0.0.1', 'heartbeat', 400, 'earlier ' || n, 'k' || n, ''
      FROM generate_series(1, 500) AS n`.execute(h.ctx.db);

    const outcomes: { message: Message; status: number }[] = [];
    for (let round = 0; round < 4; round += 1) {
      const r = `r${round}`;
      const valid: Message[] = [
        ...[0, 1, 2, 3].map((i) => ({
          endpoint: 'heartbeat',
          requestId: `${r}-heartbeat-${i}`,
          body: { offline_mode_at: at(minutes(30 + i)) },
          authorization: token,
          valid: true,
        })),
        ...[0, 1, 2, 3].map((i) => ({
          endpoint: 'update_group_capacity_forecast',
          requestId: `${r}-forecast-${i}`,
          body: forecast(group, 60 * i, 60 * i + 60, 20 + i + round),
          authorization: token,
          valid: true,
        })),
        {
          endpoint: 'handshake',
          requestId: `${r}-handshake`,
          body: { required_behaviour: { heartbeat_interval: 60, measurement_configuration: [] } },
          authorization: token,
          valid: true,
        },
      ];
      const invalid: Message[] = [
        { endpoint: 'heartbeat', body: { offline_mode_at: 'soon' } },
        { endpoint: 'heartbeat', body: { offline_mode_at: '9999-12-31T23:59:59-01:00' } },
        { endpoint: 'heartbeat', requestId: 'x'.repeat(3000), body: { offline_mode_at: at(0) } },
        { endpoint: 'update_group_capacity_forecast', body: forecast('\u0000', 0, 60, 10) },
        {
          endpoint: 'update_group_capacity_forecast',
          body: { ...forecast(group, 0, 60, 10), type: 'NONSENSE' },
        },
        {
          endpoint: 'update_group_capacity_forecast',
          body: {
            ...forecast(group, 0, 60, 10),
            forecasted_blocks: [
              ...forecast(group, 0, 60, 10).forecasted_blocks,
              ...forecast(group, 30, 90, 10).forecasted_blocks,
            ],
          },
        },
        { endpoint: 'update_group_capacity_forecast', body: forecast(`${group}-other`, 0, 60, 10) },
        { endpoint: 'handshake_acknowledge', body: {} },
        { endpoint: 'handshake', body: { required_behaviour: { heartbeat_interval: -1 } } },
        { endpoint: 'register', body: { token: '', version_url: [] } },
        { endpoint: 'heartbeat', requestId: '', body: { offline_mode_at: at(0) } },
      ].map((m, i) => ({
        requestId: `${r}-invalid-${i}`,
        authorization: token,
        ...m,
        valid: false,
      }));
      const strangers: Message[] = [
        { endpoint: 'heartbeat', authorization: 'Token not-a-token', body: {}, valid: false },
        { endpoint: 'update_group_capacity_forecast', body: {}, valid: false },
      ];
      // Each valid message twice: the repeat is answered 204 and changes nothing.
      const burst = [...valid, ...valid, ...invalid, ...strangers];
      const sending = sendAll(burst);
      await dueWorkDuring(sending, id);
      outcomes.push(...(await sending));
    }

    const serverErrors = outcomes.filter((o) => o.status >= 500);
    expect(serverErrors.map((o) => `${o.message.endpoint}: ${o.status}`)).toEqual([]);
    const wrong = outcomes.filter((o) => (o.status === 204) !== o.message.valid);
    expect(wrong.map((o) => `${o.message.endpoint} ${o.message.requestId}: ${o.status}`)).toEqual(
      [],
    );

    // Applied once each: one claim per request id, one acceptance per forecast, one
    // acknowledgement per handshake.
    const claims = await h.ctx.db
      .selectFrom('oscp_inbound_requests')
      .select('request_id')
      .where('connection_id', '=', id)
      .where('request_id', 'like', 'r%')
      .execute();
    const validIds = [
      ...new Set(outcomes.filter((o) => o.message.valid).map((o) => o.message.requestId)),
    ];
    expect(claims.map((c) => c.request_id).sort()).toEqual(validIds.sort());
    const accepted = (await h.auditEvents(id, 'OscpForecastAccepted')).map(
      (e) => e.data.requestId as string,
    );
    expect(accepted.filter((r) => r.startsWith('r')).sort()).toEqual(
      validIds.filter((r) => r!.includes('forecast')).sort(),
    );
    const acknowledgements = (await h.outbox(id))
      .filter((m) => m.kind === 'HandshakeAcknowledge' && m.correlation_id?.startsWith('r'))
      .map((m) => m.correlation_id);
    // The log stayed within its bound for the source, give or take the refusals recorded at once.
    const kept = await h.ctx.db
      .selectFrom('oscp_inbound_refusals')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('source', '=', '127.0.0.1')
      .executeTakeFirstOrThrow();
    expect(Number(kept.n)).toBeLessThanOrEqual(500 + 16);
    expect(acknowledgements.sort()).toEqual(
      validIds.filter((r) => r!.includes('handshake')).sort(),
    );
  });
});
