import { SimulatedChargePoint, type InboundRecord } from '@openvelope/sim';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../app';
import { createLogger } from '../../platform/logging';
import { scheduleWork } from '../../platform/scheduler/scheduler';
import { BREACH_REPORT_WORK } from '../app/breach-compliance';
import { useLifecycleHarness } from '../../testing/lifecycle-harness';
import { eventually } from '../../testing/wait';
import type { CircuitBreaches, CircuitDetail } from '../../microgrid/contract';
import type { BreachReportView } from '../operator-message-contract';

// Compliance errors from breaches (COR-24): the depot overshoots a limit OSCP set from an accepted
// forecast, and the Capacity Provider simulator, over real HTTP, hears of each episode once.

const h = useLifecycleHarness();
/** The simulated peer sends no heartbeats here: we ask for none, so it stays online. */
const NO_HEARTBEATS = { requestedHeartbeatIntervalSeconds: null };

async function get<T>(url: string): Promise<T> {
  const response = await h.ctx.request({ method: 'GET', url, cookie: h.manager });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

async function call(method: 'POST' | 'PUT', url: string, body?: unknown) {
  const response = await h.ctx.request({ method, url, cookie: h.manager, body });
  expect(response.statusCode, response.body).toBeLessThan(300);
  return response.json();
}

/** A CONSUMPTION forecast of `amps` per phase for two hours from now; its X-Request-ID. */
async function forecast(peerId: string, amps: number): Promise<string> {
  const outcome = await h.sim.sendForecast(peerId, {
    type: 'CONSUMPTION',
    blocks: h.forecastBlocks(amps).map((b) => ({
      ...b,
      end: new Date(b.start.getTime() + 2 * 3600_000),
    })),
  });
  expect(outcome.status).toBe('delivered');
  return h.sim.sentMessages({ peerId, endpoint: 'update_group_capacity_forecast' }).at(-1)!
    .requestId;
}

const complianceErrors = (peerId: string): InboundRecord[] =>
  h.sim.messages({ peerId, endpoint: 'group_capacity_compliance_error' });

/** Lets every delivery in flight reach the peer (nothing more is due at the clock's now). */
async function delivered(id: string) {
  await eventually(async () => {
    await h.ctx.app.settle();
    const pending = (await h.publications(id)).filter((p) => p.status !== 'DELIVERED');
    return pending.length === 0;
  }, 'every publication delivered');
}

async function reports(connectionId: string): Promise<BreachReportView[]> {
  return (
    await get<{ reports: BreachReportView[] }>(
      `/api/oscp-connections/${connectionId}/breach-reports`,
    )
  ).reports;
}

/** The demo depot's Bay 01 and Bay 02 report their current (three-phase: on L1, L2 and L3). */
async function draw(bay01: number, bay02: number, app = h.ctx.app, cookie = h.manager) {
  const detail = await get<CircuitDetail>(`/api/circuits/${h.ids.circuitId}`);
  const id = (name: string) => detail.chargers.find((c) => c.name === name)!.id;
  const measuredAt = h.ctx.clock.now().toISOString();
  const reading = (name: string, currentA: number) => ({
    chargerId: id(name),
    measuredAt,
    energyWh: 1,
    powerW: 0,
    currentA,
  });
  const response = await app.http.inject({
    method: 'POST',
    url: '/api/meter-values',
    headers: { cookie },
    payload: { readings: [reading('Bay 01', bay01), reading('Bay 02', bay02)] },
  });
  expect(response.statusCode, response.body).toBe(202);
  await app.settle();
}

async function after(seconds: number, app = h.ctx.app) {
  h.ctx.clock.advance(seconds * 1000);
  await app.settle();
}

describe('a vehicle that ignores its OCPP limit', () => {
  it('is reported once per episode, correlated to the forecast, and not again after it obeys', async () => {
    // A depot of its own: one 32 A charger on a 40 A circuit, an OCPP charge point.
    const microgridId = (await call('POST', '/api/microgrids', { name: 'Yard', timezone: 'UTC' }))
      .id;
    const circuit = await call('POST', `/api/microgrids/${microgridId}/circuits`, {
      name: 'Yard board',
      phaseCount: 3,
      staticCapacityA: 40,
    });
    const scopeId = (
      await call('POST', `/api/microgrids/${microgridId}/scopes`, {
        name: 'Yard supply',
        circuitIds: [circuit.id],
      })
    ).id;
    const chargerId = (
      await call('POST', `/api/circuits/${circuit.id}/chargers`, {
        name: 'Yard 1',
        phases: ['L1', 'L2', 'L3'],
        maxCurrentA: 32,
      })
    ).id;
    await call('PUT', `/api/chargers/${chargerId}/ocpp`, {
      chargePointId: 'YARD-1',
      connectorIds: [1],
    });
    const { password } = await call('POST', `/api/chargers/${chargerId}/ocpp/password`);
    const { id, peerId } = await h.handshaken({
      connection: { microgridId, scopeId, ...NO_HEARTBEATS },
    });
    const forecastId = await forecast(peerId, 24);

    const cp = new SimulatedChargePoint({
      endpoint: `${h.baseUrl.replace(/^http/, 'ws')}/ocpp`,
      chargePointId: 'YARD-1',
      password,
      phases: 3,
      maxCurrentA: 32,
      clock: h.ctx.clock,
    });
    const breachOf = () => get<CircuitBreaches>(`/api/circuits/${circuit.id}/breaches`);
    /** Ten-second ticks: each reports MeterValues over OCPP, then due work runs. */
    const run = async (seconds: number) => {
      for (let t = 0; t < seconds; t += 10) {
        h.ctx.clock.advance(10_000);
        await cp.tick();
        await h.ctx.app.settle();
      }
    };
    try {
      await cp.start({ label: 'Truck 9', idTag: 'TRUCK9', maxCurrentA: 32, batteryWh: 900_000 });
      await h.settleUntil('the 24 A limit at the charger', async () => cp.limitA === 24);
      await run(30);
      expect(cp.currentA).toBe(24);
      expect((await breachOf()).status).toBe('NORMAL');

      cp.setBehaviour({ kind: 'IGNORE_LIMIT' });
      await run(10);
      expect(cp.currentA).toBe(32);
      expect((await breachOf()).status).toBe('SUSPECTED');
      await run(60);
      expect((await breachOf()).status).toBe('OPEN');
      await delivered(id);
      const [told] = complianceErrors(peerId);
      expect(told).toMatchObject({ status: 204, correlationId: forecastId });
      expect(told!.body).toEqual({
        message: `Capacity limit breached on circuit "Yard board" (group ${h.sim.peer(peerId).groupId}): L1 drew 32.0 A against a limit of 24.0 A per phase, over the limit since 2026-03-02T09:00:40.000Z.`,
        forecasted_blocks: [
          {
            capacity: 24,
            unit: 'A',
            phase: 'ALL',
            start_time: '2026-03-02T09:00:00.000Z',
            end_time: '2026-03-02T11:00:00.000Z',
          },
        ],
      });

      // It goes on drawing 32 A: nothing more is said.
      await run(300);
      await delivered(id);
      expect(complianceErrors(peerId)).toHaveLength(1);

      cp.setBehaviour({ kind: 'OBEY' });
      await run(70);
      expect(cp.currentA).toBe(24);
      const ended = await breachOf();
      expect(ended.status).toBe('NORMAL');
      expect(ended.episodes).toHaveLength(1);
      await run(120);
      await delivered(id);
      expect(complianceErrors(peerId)).toHaveLength(1);

      const [report] = await reports(id);
      expect(report).toMatchObject({
        circuitName: 'Yard board',
        phase: 'L1',
        limitA: 24,
        measuredA: 32,
        since: '2026-03-02T09:00:40.000Z',
        endedAt: ended.episodes[0]!.endedAt,
        started: { requestId: told!.requestId, correlationId: forecastId, status: 'DELIVERED' },
        worsenedReport: null,
      });
      // The circuit page links to the connection that was told.
      const onCircuit = await get<{ reports: BreachReportView[] }>(
        `/api/oscp-breach-reports?circuitId=${circuit.id}`,
      );
      expect(onCircuit.reports.map((r) => [r.connectionId, r.episodeId])).toEqual([
        [id, report!.episodeId],
      ]);
      const timeline = await h.timeline(id, ['OscpBreachReported', 'OscpReportedBreachEnded']);
      expect(timeline.map((e) => e.type)).toEqual([
        'OscpReportedBreachEnded',
        'OscpBreachReported',
      ]);
    } finally {
      await cp.stop();
      // The server records the disconnect in the database: let it finish before the next reset.
      const central = h.ctx.app.ocpp.centralSystem;
      await eventually(() => central.connectedCount === 0, 'the charger disconnected');
      await central.disconnectsRecorded();
    }
  });
});

describe('compliance errors from breaches', () => {
  it('adds one more when the breach worsens, and none for further worsening', async () => {
    const { id, peerId } = await h.handshaken({ connection: NO_HEARTBEATS });
    const forecastId = await forecast(peerId, 60);
    await draw(40, 30);
    await after(60);
    await delivered(id);
    expect(complianceErrors(peerId)).toHaveLength(1);

    // 77.5 A is 17.5 A over: more than the 6 A margin beyond the 10 A reported.
    await after(10);
    await draw(40, 37.5);
    await delivered(id);
    const [, worse] = complianceErrors(peerId);
    expect(worse).toMatchObject({ status: 204, correlationId: forecastId });
    expect((worse!.body as { message: string }).message).toBe(
      `The capacity limit breach on circuit "Main switchboard" (group ${h.sim.peer(peerId).groupId}) has worsened: L1 draws 77.5 A against a limit of 60.0 A per phase; over the limit since 2026-03-02T09:00:00.000Z.`,
    );

    await after(10);
    await draw(60, 40);
    await after(10);
    await draw(70, 50);
    await delivered(id);
    expect(complianceErrors(peerId)).toHaveLength(2);
    const [report] = await reports(id);
    expect(report!.worsenedReport).toMatchObject({
      requestId: worse!.requestId,
      status: 'DELIVERED',
    });
    expect(report!.worsened).toMatchObject({ measuredA: 77.5, limitA: 60 });
  });

  it('are not sent again by a restarted server, which still tells a later worsening once', async () => {
    const { id, peerId } = await h.handshaken({ connection: NO_HEARTBEATS });
    await forecast(peerId, 60);
    await draw(40, 30);
    await after(60);
    await delivered(id);
    expect(complianceErrors(peerId)).toHaveLength(1);

    // A fresh app on the same database, as after a restart: nothing in memory survives.
    const restarted = await createApp({
      db: h.ctx.db,
      clock: h.ctx.clock,
      log: createLogger('silent'),
      secretsKey: h.ctx.secretsKey,
    });
    try {
      for (let step = 0; step < 12; step += 1) {
        await after(10, restarted);
        await draw(40, 30, restarted);
      }
      const { episodes } = await restarted.microgrid.breaches.circuitBreaches(
        h.ids.circuitId,
        h.ctx.clock.now(),
      );
      expect(episodes).toHaveLength(1);
      // The episode's report is decided again (as if its work had been booked twice): still one.
      await scheduleWork(
        h.ctx.db,
        { kind: BREACH_REPORT_WORK, key: episodes[0]!.id, dueAt: h.ctx.clock.now() },
        h.ctx.clock.now(),
      );
      await eventually(async () => {
        await restarted.settle();
        return (await h.publications(id)).every((p) => p.status === 'DELIVERED');
      }, 'deliveries of the restarted server');
      expect(complianceErrors(peerId)).toHaveLength(1);

      await after(10, restarted);
      await draw(45, 40, restarted);
      await eventually(async () => {
        await restarted.settle();
        return complianceErrors(peerId).length === 2;
      }, 'the worsening, told by the restarted server');
      await after(60, restarted);
      await draw(45, 40, restarted);
      await restarted.settle();
      expect(complianceErrors(peerId)).toHaveLength(2);
    } finally {
      await restarted.http.close();
    }
  });

  it('are not sent when the limit broken comes from a manual envelope', async () => {
    const { id, peerId } = await h.handshaken({ connection: NO_HEARTBEATS });
    await forecast(peerId, 100);
    // An operator's envelope below OSCP's limit is the one in force.
    await call('POST', `/api/scopes/${h.ids.scopeId}/envelopes`, {
      source: 'Site maintenance',
      blocks: [
        {
          start: h.ctx.clock.now().toISOString(),
          end: new Date(h.ctx.clock.now().getTime() + 3600_000).toISOString(),
          importLimit: { value: 50, unit: 'A' },
        },
      ],
    });
    await draw(40, 30);
    await after(60);
    await draw(40, 40);
    expect(
      (await get<CircuitBreaches>(`/api/circuits/${h.ids.circuitId}/breaches`)).open,
    ).toMatchObject({ limitA: 50, limitLabel: 'Envelope: Site maintenance' });
    await delivered(id);
    expect(complianceErrors(peerId)).toHaveLength(0);
    expect(await reports(id)).toEqual([]);
  });

  it('does not tell a worsening under a limit no forecast set (the gap policy while the peer is offline)', async () => {
    // We ask for heartbeats every 60 s and the peer sends none: offline three minutes on.
    const { id, peerId } = await h.handshaken();
    await forecast(peerId, 60);
    await draw(40, 30);
    await after(60);
    await delivered(id);
    expect(complianceErrors(peerId)).toHaveLength(1);

    await after(120);
    const detail = await h.detail(id);
    expect(detail.control.mode).toBe('GAP_POLICY');
    await draw(40, 30);
    const breach = await get<CircuitBreaches>(`/api/circuits/${h.ids.circuitId}/breaches`);
    // Against the safe default of 0 A the breach is worse, but no accepted forecast set that limit.
    expect(breach.open?.worsened).toMatchObject({ measuredA: 70, limitA: 0 });
    await delivered(id);
    expect(complianceErrors(peerId)).toHaveLength(1);
    expect((await reports(id))[0]!.worsenedReport).toBeNull();
  });

  it('are decided once when many decisions about one episode race (PostgreSQL runs them at once)', async () => {
    const { id, peerId } = await h.handshaken({ connection: NO_HEARTBEATS });
    await forecast(peerId, 60);
    await draw(40, 30);
    h.ctx.clock.advance(60_000);
    // The hold time ends: the check starts the episode; its report work is booked, not run.
    await h.ctx.db
      .transaction()
      .execute((trx) =>
        h.ctx.app.microgrid.breachDetector.evaluate(trx, h.ids.circuitId, h.ctx.clock.now()),
      );
    expect(await reports(id)).toEqual([]);
    const open = (await get<CircuitBreaches>(`/api/circuits/${h.ids.circuitId}/breaches`)).open!;
    const now = h.ctx.clock.now();
    const work = {
      id: 0,
      kind: BREACH_REPORT_WORK,
      key: open.id,
      dueAt: now,
      payload: {},
      attempts: 0,
    };
    await Promise.all(
      Array.from({ length: 16 }, () =>
        h.ctx.db
          .transaction()
          .execute((trx) => h.ctx.app.oscp.breachCompliance.handle(trx, work, now)),
      ),
    );
    await delivered(id);
    expect(complianceErrors(peerId)).toHaveLength(1);
    expect(await h.auditEvents(id, 'OscpBreachReported')).toHaveLength(1);
  });
});
