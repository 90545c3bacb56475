import { UnexpectedHttpResponse } from './rpc';
import { describe, expect, it } from 'vitest';
import type { CircuitDetail } from '../../microgrid/contract';
import { readStream } from '../../platform/events/event-store';
import { settleUntil } from '../../testing/app-with-simulator';
import { eventually } from '../../testing/wait';
import type { ChargePointView, MessageLog } from '../contract';
import { useOcppDepot } from '../../testing/ocpp-harness';

const depot = useOcppDepot(40);

async function view(chargerId: string): Promise<ChargePointView> {
  const r = await depot.ctx.request({
    method: 'GET',
    url: `/api/chargers/${chargerId}/ocpp`,
    cookie: depot.manager,
  });
  return r.json();
}

async function circuit(): Promise<CircuitDetail> {
  const r = await depot.ctx.request({
    method: 'GET',
    url: `/api/circuits/${depot.circuitId}`,
    cookie: depot.manager,
  });
  return r.json();
}

async function boot(n: 0 | 1) {
  const { chargePointId, password } = depot.chargers[n]!;
  const cp = await depot.connect(chargePointId, password);
  const answer = (await cp.client.call('BootNotification', {
    chargePointVendor: 'Openvelope',
    chargePointModel: 'Test CP',
    firmwareVersion: '1.2.3',
  })) as { status: string; interval: number };
  return { cp, answer };
}

async function startTransaction(cp: Awaited<ReturnType<typeof boot>>['cp'], idTag = 'TAG1') {
  return (await cp.client.call('StartTransaction', {
    connectorId: 1,
    idTag,
    meterStart: 1000,
    timestamp: depot.ctx.clock.now().toISOString(),
  })) as { transactionId: number; idTagInfo: { status: string } };
}

describe('OCPP central system', () => {
  it('accepts a boot, keeps the charger safe with a default profile, and shows what it said', async () => {
    const { cp, answer } = await boot(0);
    expect(answer).toMatchObject({ status: 'Accepted', interval: 60 });
    await cp.client.call('StatusNotification', {
      connectorId: 1,
      errorCode: 'NoError',
      status: 'Available',
    });
    await cp.client.call('Heartbeat', {});

    // The TxDefaultProfile at the charger's minimum, for every connector (0).
    const defaultProfile = await eventually(() => cp.profiles[0], 'the default profile');
    expect(defaultProfile.connectorId).toBe(0);
    expect(defaultProfile.csChargingProfiles).toMatchObject({
      chargingProfilePurpose: 'TxDefaultProfile',
      chargingSchedule: {
        chargingRateUnit: 'A',
        chargingSchedulePeriod: [{ limit: 6, numberPhases: 3 }],
      },
    });
    const shown = await view(depot.chargers[0]!.id);
    expect(shown).toMatchObject({
      online: true,
      boot: { vendor: 'Openvelope', model: 'Test CP', firmwareVersion: '1.2.3' },
      connectors: [{ connectorId: 1, status: 'Available', errorCode: 'NoError' }],
    });
    const log: MessageLog = (
      await depot.ctx.request({
        method: 'GET',
        url: `/api/chargers/${depot.chargers[0]!.id}/ocpp/log`,
        cookie: depot.manager,
      })
    ).json();
    expect(log.entries.map((e) => `${e.direction} ${e.kind} ${e.action}`)).toEqual(
      expect.arrayContaining([
        'IN CALL BootNotification',
        'OUT RESULT BootNotification',
        'IN CALL Heartbeat',
      ]),
    );
  });

  it('refuses unknown ids, wrong or missing passwords and another charger’s password at the upgrade, and audits it', async () => {
    const [one, two] = depot.chargers;
    const refused = async (id: string, password: string | undefined) => {
      const error = await depot.connect(id, password).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UnexpectedHttpResponse);
      expect((error as UnexpectedHttpResponse).code).toBe(401);
    };
    await refused('NOBODY', 'whatever');
    await refused(one!.chargePointId, 'wrong-password');
    await refused(one!.chargePointId, undefined);
    await refused(one!.chargePointId, two!.password);

    const unknown = await readStream(depot.ctx.db, 'ocpp-refusals');
    expect(unknown.map((e) => e.data)).toEqual([
      expect.objectContaining({ chargePointId: 'NOBODY', reason: 'UNKNOWN_ID' }),
    ]);
    const audited = await readStream(depot.ctx.db, `ocpp-charge-point-${one!.id}`);
    expect(
      audited.filter((e) => e.type === 'OcppConnectionRefused').map((e) => e.data.reason),
    ).toEqual(['WRONG_PASSWORD', 'NO_PASSWORD_SENT', 'WRONG_PASSWORD']);
  });

  it('turns a transaction into a session with its limit, meter readings and end', async () => {
    const { cp } = await boot(0);
    const authorized = await cp.client.call('Authorize', { idTag: 'TAG1' });
    expect(authorized).toEqual({ idTagInfo: { status: 'Accepted' } });
    const started = await startTransaction(cp);
    expect(started.idTagInfo.status).toBe('Accepted');

    // The allocation (alone on 40 A: its 32 A maximum) reaches the charger as its TxProfile.
    const txProfile = await settleUntil(
      depot.ctx,
      async () =>
        cp.profiles.find((p) => p.csChargingProfiles.chargingProfilePurpose === 'TxProfile'),
      'the transaction profile',
    );
    expect(txProfile).toMatchObject({
      connectorId: 1,
      csChargingProfiles: {
        transactionId: started.transactionId,
        chargingSchedule: {
          chargingRateUnit: 'A',
          chargingSchedulePeriod: [{ limit: 32, numberPhases: 3 }],
        },
      },
    });
    await settleUntil(
      depot.ctx,
      async () => (await view(depot.chargers[0]!.id)).limit?.answer === 'ACCEPTED',
      'the answer recorded',
    );
    expect((await view(depot.chargers[0]!.id)).limit).toMatchObject({
      sentA: 32,
      answer: 'ACCEPTED',
      state: 'DONE',
    });

    await cp.client.call('MeterValues', {
      connectorId: 1,
      transactionId: started.transactionId,
      meterValue: [
        {
          timestamp: depot.ctx.clock.now().toISOString(),
          sampledValue: [
            { value: '3500', measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
            { value: '22080', measurand: 'Power.Active.Import', unit: 'W' },
            { value: '31.9', measurand: 'Current.Import', phase: 'L1', unit: 'A' },
            { value: '32', measurand: 'Current.Import', phase: 'L2', unit: 'A' },
            { value: '31.8', measurand: 'Current.Import', phase: 'L3', unit: 'A' },
          ],
        },
      ],
    });
    const charging = (await circuit()).chargers.find((c) => c.name === 'CP-1')!;
    expect(charging.session).toMatchObject({ vehicleLabel: 'Id tag TAG1', energyWh: 2500 });
    expect(charging.lastReading).toMatchObject({ currentA: 32, powerW: 22080 });
    expect((await circuit()).measuredLoadA).toBe(32);

    depot.ctx.clock.advance(60_000);
    const stopped = await cp.client.call('StopTransaction', {
      transactionId: started.transactionId,
      meterStop: 4000,
      timestamp: depot.ctx.clock.now().toISOString(),
      idTag: 'TAG1',
      reason: 'EVDisconnected',
    });
    expect(stopped).toEqual({ idTagInfo: { status: 'Accepted' } });
    const after = (await circuit()).chargers.find((c) => c.name === 'CP-1')!;
    expect(after.session).toBeNull();
    expect((await view(depot.chargers[0]!.id)).transaction).toBeNull();
  });

  it('refuses an id tag outside the depot’s allow-list: no session starts', async () => {
    await depot.ctx.request({
      method: 'PUT',
      url: `/api/microgrids/${depot.microgridId}/ocpp-id-tags`,
      cookie: depot.manager,
      body: { mode: 'ALLOW_LIST', idTags: ['FLEET-1'] },
    });
    const { cp } = await boot(0);
    expect(await cp.client.call('Authorize', { idTag: 'STRANGER' })).toEqual({
      idTagInfo: { status: 'Invalid' },
    });
    const started = await startTransaction(cp, 'STRANGER');
    expect(started.idTagInfo.status).toBe('Invalid');
    expect((await circuit()).chargers.find((c) => c.name === 'CP-1')!.session).toBeNull();
    expect((await startTransaction(cp, 'fleet-1')).idTagInfo.status).toBe('Accepted');
  });

  it('treats a charger that rejects its limit as drawing its maximum, and the other gets the rest', async () => {
    const first = await boot(0);
    const second = await boot(1);
    second.cp.answer = 'Rejected';
    await startTransaction(first.cp);
    await startTransaction(second.cp);
    await settleUntil(
      depot.ctx,
      async () => (await view(depot.chargers[1]!.id)).limit?.answer === 'REJECTED',
      'the rejection recorded',
    );
    await depot.ctx.app.settle();
    const chargers = (await circuit()).chargers;
    const rejecting = chargers.find((c) => c.name === 'CP-2')!;
    expect(rejecting.allocation).toMatchObject({
      currentA: 32,
      binding: { kind: 'NOT_FOLLOWING' },
    });
    expect(rejecting.allocation!.binding.label).toContain('Rejected its');
    // 40 A per phase less CP-2's assumed 32 A leaves CP-1 8 A, and CP-1 was told so.
    const following = chargers.find((c) => c.name === 'CP-1')!;
    expect(following.allocation?.currentA).toBe(8);
    await settleUntil(
      depot.ctx,
      async () =>
        first.cp.profiles.at(-1)?.csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0]
          ?.limit === 8,
      'CP-1 limited to what is left',
    );
    expect((await view(depot.chargers[0]!.id)).limit).toMatchObject({
      sentA: 8,
      answer: 'ACCEPTED',
    });
  });

  it('records a charger that does not answer in time as not following', async () => {
    const { cp } = await boot(0);
    cp.answer = 'silent';
    await startTransaction(cp);
    await settleUntil(
      depot.ctx,
      async () => (await view(depot.chargers[0]!.id)).limit?.answer === 'TIMEOUT',
      'the timeout',
    );
    await depot.ctx.app.settle();
    const charger = (await circuit()).chargers.find((c) => c.name === 'CP-1')!;
    expect(charger.allocation?.binding.label).toContain('Did not answer');
  });

  it('sends the current limit again when a charger reconnects', async () => {
    const first = await boot(0);
    await startTransaction(first.cp);
    await settleUntil(
      depot.ctx,
      async () => (await view(depot.chargers[0]!.id)).limit?.answer === 'ACCEPTED',
      'the first limit',
    );
    await first.cp.close();
    await eventually(
      async () => !(await view(depot.chargers[0]!.id)).online,
      'the charger offline',
    );

    // Reconnected without a boot (a network drop): the transaction goes on and its limit comes again.
    const again = await depot.connect(
      depot.chargers[0]!.chargePointId,
      depot.chargers[0]!.password,
    );
    const resent = await settleUntil(
      depot.ctx,
      async () =>
        again.profiles.find((p) => p.csChargingProfiles.chargingProfilePurpose === 'TxProfile'),
      'the limit sent again',
    );
    expect(resent.csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0]!.limit).toBe(32);
    await settleUntil(
      depot.ctx,
      async () => (await view(depot.chargers[0]!.id)).online,
      'online again',
    );
  });

  it('answers malformed frames and calls with the OCPP-J CALLERROR, and keeps serving the charger', async () => {
    const { cp } = await boot(0);
    const errors: unknown[] = [];
    cp.client.on('badMessage', () => undefined);
    cp.client.on('message', ({ message, outbound }: { message: string; outbound: boolean }) => {
      if (!outbound && message.startsWith('[4')) errors.push(JSON.parse(message));
    });
    cp.client.sendRaw('this is not json');
    cp.client.sendRaw('[2,"m-1","BootNotification",{"chargePointVendor":"Openvelope"}]');
    cp.client.sendRaw(
      '[2,"m-2","StatusNotification",{"connectorId":"one","errorCode":"NoError","status":"Available"}]',
    );
    cp.client.sendRaw('[2,"m-3","MakeCoffee",{}]');
    cp.client.sendRaw(
      '[2,"m-4","StatusNotification",{"connectorId":7,"errorCode":"NoError","status":"Available"}]',
    );
    await eventually(() => errors.length === 5, 'five CALLERRORs');
    const byId = new Map((errors as [number, string, string, string][]).map((e) => [e[1], e[2]]));
    expect(byId.get('-1')).toBe('RpcFrameworkError');
    expect(byId.get('m-1')).toBe('OccurrenceConstraintViolation');
    expect(byId.get('m-2')).toBe('TypeConstraintViolation');
    expect(byId.get('m-3')).toBe('NotImplemented');
    expect(byId.get('m-4')).toBe('PropertyConstraintViolation');
    expect(await cp.client.call('Heartbeat', {})).toHaveProperty('currentTime');
  });

  it('answers out-of-order messages as the spec expects and keeps everything they carry', async () => {
    const { cp } = await boot(0);
    // A stop for a transaction we never saw (e.g. queued by the charger before we knew it).
    expect(
      await cp.client.call('StopTransaction', {
        transactionId: 999_999,
        meterStop: 5000,
        timestamp: depot.ctx.clock.now().toISOString(),
      }),
    ).toEqual({});
    const first = await startTransaction(cp, 'TAG1');
    // Meter values naming another transaction are stored, outside any session.
    await cp.client.call('MeterValues', {
      connectorId: 1,
      transactionId: 999_999,
      meterValue: [
        {
          timestamp: depot.ctx.clock.now().toISOString(),
          sampledValue: [{ value: '7', measurand: 'Current.Import', phase: 'L1', unit: 'A' }],
        },
      ],
    });
    const stray = await depot.ctx.db
      .selectFrom('meter_readings')
      .select(['session_id', 'current_a'])
      .where('charger_id', '=', depot.chargers[0]!.id)
      .execute();
    expect(stray).toEqual([{ session_id: null, current_a: 7 }]);
    // A second start without a stop: the first session ends (its energy kept), a new one begins.
    depot.ctx.clock.advance(60_000);
    const second = await startTransaction(cp, 'TAG2');
    expect(second.transactionId).not.toBe(first.transactionId);
    const sessions = await depot.ctx.db
      .selectFrom('charging_sessions')
      .select(['vehicle_label', 'ended_at'])
      .where('charger_id', '=', depot.chargers[0]!.id)
      .orderBy('started_at')
      .execute();
    expect(sessions.map((s) => [s.vehicle_label, s.ended_at !== null])).toEqual([
      ['Id tag TAG1', true],
      ['Id tag TAG2', false],
    ]);
  });

  it('refuses a StopTransaction for another charger’s transaction', async () => {
    const first = await boot(0);
    const second = await boot(1);
    const started = await startTransaction(first.cp);
    const error = await second.cp.client
      .call('StopTransaction', {
        transactionId: started.transactionId,
        meterStop: 2000,
        timestamp: depot.ctx.clock.now().toISOString(),
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ rpcErrorCode: 'SecurityError' });
    expect((await view(depot.chargers[0]!.id)).transaction?.transactionId).toBe(
      started.transactionId,
    );
  });
});
