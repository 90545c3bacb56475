import { describe, expect, it } from 'vitest';
import { useOcppDepot } from '../../testing/ocpp-harness';

// A charger's absolute meter register, over OCPP, becomes the scope's virtual register (ADR 0040):
// each transaction counts from its meterStart, and the scope's register keeps counting across them.

const depot = useOcppDepot(40);

describe('the scope register from OCPP chargers', () => {
  it('counts each transaction from its meterStart, across a stop and a new start', async () => {
    const { ctx } = depot;
    const charger = depot.chargers[0]!;
    const cp = await depot.connect(charger.chargePointId, charger.password);
    await cp.client.call('BootNotification', { chargePointVendor: 'Test', chargePointModel: 'T' });
    const register = async () =>
      (await ctx.app.microgrid.queries.scopeMetering(
        depot.scopeId,
        new Date(ctx.clock.now().getTime() - 1000),
        ctx.clock.now(),
      ))!.registerAtEndWh;
    const meterValue = (transactionId: number, wh: number) =>
      cp.client.call('MeterValues', {
        connectorId: 1,
        transactionId,
        meterValue: [
          {
            timestamp: ctx.clock.now().toISOString(),
            sampledValue: [
              { value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
            ],
          },
        ],
      });
    const start = (meterStart: number) =>
      cp.client.call('StartTransaction', {
        connectorId: 1,
        idTag: 'TAG1',
        meterStart,
        timestamp: ctx.clock.now().toISOString(),
      }) as Promise<{ transactionId: number }>;

    // The charger's meter already reads 120 kWh: none of that was used at this depot's sessions.
    const first = await start(120_000);
    ctx.clock.advance(60_000);
    await meterValue(first.transactionId, 120_700);
    expect(await register()).toBe(700);
    ctx.clock.advance(60_000);
    await cp.client.call('StopTransaction', {
      transactionId: first.transactionId,
      meterStop: 121_000,
      timestamp: ctx.clock.now().toISOString(),
    });
    expect(await register()).toBe(1_000);

    ctx.clock.advance(60_000);
    const second = await start(121_000);
    ctx.clock.advance(60_000);
    await meterValue(second.transactionId, 121_250);
    expect(await register()).toBe(1_250);
  });
});
