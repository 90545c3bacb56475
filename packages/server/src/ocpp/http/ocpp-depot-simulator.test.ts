import { SimulatedChargePoint } from '@openvelope/sim';
import { describe, expect, it } from 'vitest';
import type { CircuitDetail } from '../../microgrid/contract';
import { settleUntil } from '../../testing/app-with-simulator';
import { useOcppDepot } from '../../testing/ocpp-harness';

const depot = useOcppDepot(40);

async function circuit(): Promise<CircuitDetail> {
  const r = await depot.ctx.request({
    method: 'GET',
    url: `/api/circuits/${depot.circuitId}`,
    cookie: depot.manager,
  });
  return r.json();
}

describe('the OCPP depot simulator', () => {
  it('charges at its limit, ramping, and its meter values become the session’s readings', async () => {
    const { chargePointId, password } = depot.chargers[0]!;
    const cp = new SimulatedChargePoint({
      endpoint: depot.url.replace(/\/$/, ''),
      chargePointId,
      password,
      phases: 3,
      maxCurrentA: 32,
      rampUpAPerS: 5,
      clock: depot.ctx.clock,
    });
    try {
      await cp.start({ label: 'Bus 1', idTag: 'BUS1', maxCurrentA: 32, batteryWh: 500_000 });
      expect(cp.charging).toBe(true);
      // Alone on 40 A, its allocation is its 32 A maximum.
      await settleUntil(depot.ctx, async () => cp.limitA === 32, 'the transaction limit');

      // The current ramps up at 5 A/s per tick of the (manual) clock.
      depot.ctx.clock.advance(2000);
      await cp.tick();
      expect(cp.currentA).toBe(10);
      depot.ctx.clock.advance(10_000);
      await cp.tick();
      expect(cp.currentA).toBe(32);
      const reading = (await circuit()).chargers.find((c) => c.name === 'CP-1')!.lastReading;
      expect(reading).toMatchObject({ currentA: 32, powerW: 32 * 230 * 3 });

      // A second charger starts: both are limited to 20 A and the first follows down at once.
      const other = await depot.connect(
        depot.chargers[1]!.chargePointId,
        depot.chargers[1]!.password,
      );
      await other.client.call('BootNotification', {
        chargePointVendor: 'X',
        chargePointModel: 'Y',
      });
      await other.client.call('StartTransaction', {
        connectorId: 1,
        idTag: 'BUS2',
        meterStart: 0,
        timestamp: depot.ctx.clock.now().toISOString(),
      });
      await settleUntil(depot.ctx, async () => cp.limitA === 20, 'the lower limit');
      depot.ctx.clock.advance(1000);
      await cp.tick();
      expect(cp.currentA).toBe(20);
      const session = (await circuit()).chargers.find((c) => c.name === 'CP-1')!.session;
      // Each tick meters the time since the last at the current drawn in it: 0 A for 2 s, 10 A for
      // 10 s, 32 A for 1 s, on three phases of 230 V.
      expect(session?.energyWh).toBe(Math.round(((10 * 10 + 32 * 1) * 230 * 3) / 3600));

      await cp.unplug();
      expect((await circuit()).chargers.find((c) => c.name === 'CP-1')!.session).toBeNull();
    } finally {
      await cp.stop();
    }
  });
});
