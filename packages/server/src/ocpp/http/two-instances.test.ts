import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../app';
import { openPostgres, type DatabaseHandle } from '../../platform/db/database';
import { createLogger } from '../../platform/logging';
import { testDatabaseUrl } from '../../testing/test-database';
import { eventually } from '../../testing/wait';
import type { ChargePointView } from '../contract';
import { useOcppDepot } from '../../testing/ocpp-harness';

const depot = useOcppDepot(40);

/**
 * A second instance on the same database (its own pool on PostgreSQL). It holds no charger's
 * socket: whatever it decides for a charger on the first instance must reach it through the
 * database.
 */
let other: App;
let otherPool: DatabaseHandle | undefined;
beforeAll(async () => {
  const url = await testDatabaseUrl(depot.ctx.db);
  otherPool = url ? await openPostgres(url, 5) : undefined;
  other = await createApp({
    db: otherPool?.db ?? depot.ctx.db,
    clock: depot.ctx.clock,
    log: createLogger('silent'),
    secretsKey: randomBytes(32),
  });
});
afterAll(async () => {
  await other.http.close();
  await otherPool?.close();
});

describe('two instances', () => {
  it('an envelope submitted to one instance reaches a charger connected to the other', async () => {
    const charger = depot.chargers[0]!;
    const cp = await depot.connect(charger.chargePointId, charger.password);
    await cp.client.call('BootNotification', {
      chargePointVendor: 'Openvelope',
      chargePointModel: 'Test',
    });
    await cp.client.call('StartTransaction', {
      connectorId: 1,
      idTag: 'TAG1',
      meterStart: 0,
      timestamp: depot.ctx.clock.now().toISOString(),
    });
    const limitOf = async (app: App) =>
      (
        (
          await app.http.inject({
            method: 'GET',
            url: `/api/chargers/${charger.id}/ocpp`,
            headers: { cookie: depot.manager },
          })
        ).json() as ChargePointView
      ).limit;
    await eventually(async () => {
      await depot.ctx.app.settle();
      return (await limitOf(depot.ctx.app))?.answer === 'ACCEPTED';
    }, 'the first limit accepted');
    expect((await limitOf(depot.ctx.app))?.sentA).toBe(32);

    const now = depot.ctx.clock.now();
    const submitted = await other.http.inject({
      method: 'POST',
      url: `/api/scopes/${depot.scopeId}/envelopes`,
      headers: { cookie: depot.manager },
      payload: {
        source: 'Grid limit',
        blocks: [
          {
            start: now.toISOString(),
            end: new Date(now.getTime() + 3_600_000).toISOString(),
            importLimit: { value: 20, unit: 'A' },
          },
        ],
      },
    });
    expect(submitted.statusCode).toBe(201);

    // The other instance plans the new limit (its due work) but cannot send it: no socket there.
    await other.settle();
    expect(await other.ocpp.sender.runDue()).toBe(0);
    expect(await limitOf(other)).toMatchObject({ desiredA: 20, state: 'PENDING', sentA: 32 });

    // The instance holding the socket finds it in the database and sends it.
    expect(await depot.ctx.app.ocpp.sender.runDue()).toBe(1);
    expect(
      cp.profiles.at(-1)?.csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0]?.limit,
    ).toBe(20);
    expect(await limitOf(other)).toMatchObject({
      desiredA: 20,
      state: 'DONE',
      sentA: 20,
      answer: 'ACCEPTED',
    });
  });
});
