import { newRequestId, type EnergyMeasurement } from '@openvelope/oscp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyMeasurementLog, recordMeasurements } from './measurements';
import { CapacityProviderSimulator } from './simulator';
import { FpClient, FpStandIn, ManualClock } from './testing';

// The Capacity Provider's checks of what it receives: a CONTINUOUS register never decreases, and
// INTERMITTENT windows are closed and follow one another. Violations show in the peer's state.

const at = (time: string) => `2030-03-04T${time}.000Z`;
const STATIC = { 'fp-id': 'openvelope' };

let clock: ManualClock;
let sim: CapacityProviderSimulator;
let fp: FpStandIn;
let client: FpClient;
let peerId: string;
let token: string;

beforeEach(async () => {
  clock = new ManualClock(new Date(at('10:31:00')));
  sim = new CapacityProviderSimulator({ clock });
  await sim.start();
  fp = await FpStandIn.start({ oauth: { clientId: 'cp-at-fp', clientSecret: 'cp-secret' } });
  client = new FpClient(sim.oscpBaseUrl);
  peerId = sim.addPeer({
    groupId: 'SITE42',
    mode: 'VECTOR',
    fpBaseUrl: fp.baseUrl,
    oauth: { fpTokenUrl: fp.tokenUrl, clientId: 'fp-at-cp', clientSecret: 'fp-secret' },
    expectedStaticHeaders: STATIC,
  });
  const response = await fetch(sim.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&client_id=fp-at-cp&client_secret=fp-secret',
  });
  token = ((await response.json()) as { access_token: string }).access_token;
});

afterEach(async () => {
  await sim.stop();
  await fp.stop();
});

function window(start: string, end: string, value: number): EnergyMeasurement {
  return {
    value,
    phase: 'ALL',
    unit: 'WH',
    direction: 'IMPORT',
    measure_time: at(end),
    initial_measure_time: at(start),
  };
}

function send(energy: EnergyMeasurement, requestId = newRequestId()) {
  return client.send(
    {
      kind: 'UpdateAssetMeasurements',
      body: {
        group_id: 'SITE42',
        measurements: [
          {
            asset_id: 'SITE42-CHARGING',
            asset_category: 'CHARGING',
            energy_measurement: energy,
            instantaneous_measurement: {
              value: 11,
              phase: 'ALL',
              unit: 'KW',
              measure_time: energy.measure_time,
            },
          },
        ],
      },
    },
    { scheme: 'Bearer', token },
    { requestId, staticHeaders: STATIC },
  );
}

describe('INTERMITTENT windows (a Vector peer)', () => {
  it('accepts closed windows that follow one another, with no violation', async () => {
    expect(await send(window('10:00:00', '10:15:00', 800))).toMatchObject({ status: 'delivered' });
    expect(await send(window('10:15:00', '10:30:00', 150))).toMatchObject({ status: 'delivered' });
    const { measurements } = sim.peer(peerId);
    expect(measurements.violations).toEqual([]);
    expect(measurements.received).toBe(2);
    expect(measurements.series['asset:SITE42-CHARGING']).toMatchObject({
      configuration: 'INTERMITTENT',
      lastValue: 150,
      lastMeasureTime: at('10:30:00'),
      received: 2,
    });
  });

  it('records a gap, an overlap and a window that has not closed, but still accepts them', async () => {
    await send(window('10:00:00', '10:15:00', 800));
    const gap = await send(window('10:20:00', '10:25:00', 100));
    expect(gap).toMatchObject({ status: 'delivered' });
    await send(window('10:20:00', '10:30:00', 100));
    await send(window('10:30:00', '10:45:00', 100));
    expect(sim.peer(peerId).measurements.violations.map((v) => [v.rule, v.series])).toEqual([
      ['WINDOW_NOT_CONTIGUOUS', 'asset:SITE42-CHARGING'],
      ['WINDOW_NOT_CONTIGUOUS', 'asset:SITE42-CHARGING'],
      ['WINDOW_NOT_CLOSED', 'asset:SITE42-CHARGING'],
    ]);
    expect(sim.peer(peerId).measurements.violations[0]!.message).toBe(
      `the window starts at ${at('10:20:00')}; the previous one ended at ${at('10:15:00')}`,
    );
  });

  it('judges a retried message once', async () => {
    const requestId = newRequestId();
    await send(window('10:00:00', '10:15:00', 800), requestId);
    await send(window('10:00:00', '10:15:00', 800), requestId);
    expect(sim.peer(peerId).measurements).toMatchObject({ received: 1, violations: [] });
  });
});

describe('CONTINUOUS registers', () => {
  const reading = (time: string, value: number): [string, EnergyMeasurement] => [
    'group:DEPOT',
    { value, phase: 'ALL', unit: 'WH', direction: 'IMPORT', measure_time: at(time) },
  ];

  it('records a register that went down, and nothing while it rises or stays', () => {
    const log = emptyMeasurementLog();
    const now = new Date(at('11:00:00'));
    for (const [time, value] of [
      ['10:15:00', 1_000],
      ['10:30:00', 1_000],
      ['10:45:00', 1_250],
      ['11:00:00', 1_200],
    ] as const) {
      recordMeasurements(log, {
        requestId: time,
        asked: ['CONTINUOUS'],
        measurements: [reading(time, value)],
        now,
      });
    }
    expect(log.violations).toEqual([
      {
        at: now.toISOString(),
        requestId: '11:00:00',
        series: 'group:DEPOT',
        rule: 'REGISTER_DECREASED',
        message: `the register went from 1250 to 1200 WH (measure_time ${at('11:00:00')})`,
      },
    ]);
  });

  it('judges by the shape when both configurations were asked for', () => {
    const log = emptyMeasurementLog();
    const now = new Date(at('11:00:00'));
    const both = ['CONTINUOUS', 'INTERMITTENT'] as const;
    recordMeasurements(log, {
      requestId: 'a',
      asked: both,
      measurements: [reading('10:15:00', 5)],
      now,
    });
    recordMeasurements(log, {
      requestId: 'b',
      asked: both,
      measurements: [['group:DEPOT', window('10:15:00', '10:30:00', 3)]],
      now,
    });
    expect(log.series['group:DEPOT']?.configuration).toBe('INTERMITTENT');
    expect(log.violations).toEqual([]);
  });
});
