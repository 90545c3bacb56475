import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseMessage } from '@openvelope/oscp';
import { SimError } from './errors';
import { alignDown, rollingForecast, toWireBlocks, zeroProtectiveForecast } from './forecasts';
import { CapacityProviderSimulator } from './simulator';
import { FpClient, FpStandIn, ManualClock, registerFpFirst } from './testing';

const FROM = new Date('2030-02-01T08:00:00Z');

function wireBody(forecast: ReturnType<typeof rollingForecast>) {
  return { group_id: 'G1', type: forecast.type, forecasted_blocks: toWireBlocks(forecast.blocks) };
}

describe('forecast builders', () => {
  it('builds 24 h of contiguous 15-minute blocks that pass the wire schema', () => {
    const forecast = rollingForecast({ from: FROM, capacity: 100, unit: 'A' });
    expect(forecast.type).toBe('CONSUMPTION');
    expect(forecast.blocks).toHaveLength(96);
    const body = wireBody(forecast);
    expect(parseMessage('UpdateGroupCapacityForecast', body).ok).toBe(true);
    const blocks = body.forecasted_blocks;
    expect(blocks[0]).toEqual({
      capacity: 100,
      phase: 'ALL',
      unit: 'A',
      start_time: '2030-02-01T08:00:00.000Z',
      end_time: '2030-02-01T08:15:00.000Z',
    });
    expect(blocks.at(-1)?.end_time).toBe('2030-02-02T08:00:00.000Z');
    for (let i = 1; i < blocks.length; i++)
      expect(blocks[i]?.start_time).toBe(blocks[i - 1]?.end_time);
  });

  it('computes per-block capacities and honours type, phase, hours and block size', () => {
    const forecast = rollingForecast({
      from: FROM,
      hours: 2,
      blockMinutes: 60,
      capacity: (_start, i) => 10 * (i + 1),
      type: 'FALLBACK_CONSUMPTION',
      phase: 'THREE',
      unit: 'KW',
    });
    expect(forecast.blocks.map((b) => [b.capacity, b.phase])).toEqual([
      [10, 'THREE'],
      [20, 'THREE'],
    ]);
    expect(forecast.type).toBe('FALLBACK_CONSUMPTION');
  });

  it('builds zero protective forecasts', () => {
    const forecast = zeroProtectiveForecast({ from: FROM });
    expect(forecast.blocks).toHaveLength(96);
    expect(forecast.blocks.every((b) => b.capacity === 0)).toBe(true);
    expect(parseMessage('UpdateGroupCapacityForecast', wireBody(forecast)).ok).toBe(true);
  });

  it('leaves a deliberate gap', () => {
    const forecast = rollingForecast({
      from: FROM,
      capacity: 5,
      gap: { afterHours: 1, minutes: 30 },
    });
    expect(forecast.blocks).toHaveLength(94);
    const starts = forecast.blocks.map((b) => (b.start as Date).toISOString());
    expect(starts).not.toContain('2030-02-01T09:00:00.000Z');
    expect(starts).not.toContain('2030-02-01T09:15:00.000Z');
    expect(starts).toContain('2030-02-01T09:30:00.000Z');
  });

  it('refuses nonsense', () => {
    expect(() => rollingForecast({ from: FROM, capacity: -1 })).toThrow(SimError);
    expect(() => rollingForecast({ from: FROM, capacity: 1, blockMinutes: 0 })).toThrow(
      /blockMinutes/,
    );
    expect(alignDown(new Date('2030-02-01T08:14:59Z'), 15).toISOString()).toBe(
      '2030-02-01T08:00:00.000Z',
    );
  });
});

describe('sending forecasts', () => {
  let clock: ManualClock;
  let sim: CapacityProviderSimulator;
  let fp: FpStandIn;
  let peerId: string;

  beforeEach(async () => {
    clock = new ManualClock(new Date('2030-02-01T08:07:30Z'));
    sim = new CapacityProviderSimulator({ clock });
    await sim.start();
    fp = await FpStandIn.start();
    peerId = sim.addPeer({ groupId: 'G1', mode: 'OSCP_TOKEN', initialTokenForFp: 'initial-1' });
    await registerFpFirst(sim, fp, new FpClient(sim.oscpBaseUrl), {
      peerId,
      initialToken: 'initial-1',
    });
  });

  afterEach(async () => {
    await sim.stop();
    await fp.stop();
  });

  it('sends a forecast the FP can parse, for the peer group', async () => {
    const outcome = await sim.sendForecast(
      peerId,
      rollingForecast({ from: FROM, capacity: 32, unit: 'A' }),
    );
    expect(outcome).toMatchObject({ status: 'delivered' });
    const received = await fp.waitFor('update_group_capacity_forecast');
    const parsed = parseMessage('UpdateGroupCapacityForecast', received.body);
    expect(parsed.ok && parsed.value.group_id).toBe('G1');
    expect(parsed.ok && parsed.value.forecasted_blocks).toHaveLength(96);
    expect(sim.peer(peerId).forecasts).toMatchObject({ sent: 1, delivered: 1 });
  });

  it('does not send a forecast the wire schema refuses', async () => {
    const outcome = await sim.sendForecast(peerId, { type: 'CONSUMPTION', blocks: [] });
    expect(outcome).toMatchObject({
      status: 'invalid',
      message: expect.stringContaining('forecasted_blocks'),
    });
    expect(fp.received('update_group_capacity_forecast')).toHaveLength(0);
  });

  it('runs a schedule: aligned rolling forecast plus fallback, with a gap, until stopped', async () => {
    sim.startForecastSchedule(peerId, {
      capacity: 50,
      unit: 'KW',
      includeFallback: { capacity: 11 },
      gapAfterHours: 0,
      gapMinutes: 30,
    });
    const main = await fp.waitFor('update_group_capacity_forecast');
    const fallback = await fp.waitFor('update_group_capacity_forecast', { nth: 2 });
    const mainBody = main.body as {
      type: string;
      forecasted_blocks: { start_time: string; capacity: number }[];
    };
    const fallbackBody = fallback.body as {
      type: string;
      forecasted_blocks: { start_time: string; capacity: number }[];
    };
    expect(mainBody.type).toBe('CONSUMPTION');
    // The first two blocks of the horizon are left out: the FP is in a gap right now.
    expect(mainBody.forecasted_blocks).toHaveLength(94);
    expect(mainBody.forecasted_blocks[0]?.start_time).toBe('2030-02-01T08:30:00.000Z');
    expect(fallbackBody.type).toBe('FALLBACK_CONSUMPTION');
    expect(fallbackBody.forecasted_blocks).toHaveLength(96);
    expect(fallbackBody.forecasted_blocks[0]).toMatchObject({
      start_time: '2030-02-01T08:00:00.000Z',
      capacity: 11,
    });

    await sim.waitForPeer(peerId, (p) => p.forecasts.schedule?.runs === 1);
    clock.advance(15 * 60_000);
    const outcomes = await sim.runForecastSchedule(peerId);
    expect(outcomes.map((o) => o.status)).toEqual(['delivered', 'delivered']);
    const third = await fp.waitFor('update_group_capacity_forecast', { nth: 3 });
    expect((third.body as typeof mainBody).forecasted_blocks[0]?.start_time).toBe(
      '2030-02-01T08:45:00.000Z',
    );

    sim.stopForecastSchedule(peerId);
    expect(sim.peer(peerId).forecasts.schedule).toBeNull();
  });

  it('sends zero protective forecasts on schedule', async () => {
    sim.startForecastSchedule(peerId, { zero: true, hours: 1 });
    const received = await fp.waitFor('update_group_capacity_forecast');
    const blocks = (received.body as { forecasted_blocks: { capacity: number }[] })
      .forecasted_blocks;
    expect(blocks).toHaveLength(4);
    expect(blocks.every((b) => b.capacity === 0)).toBe(true);
    sim.stopForecastSchedule(peerId);
  });
});
