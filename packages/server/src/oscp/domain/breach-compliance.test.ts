import { describe, expect, it } from 'vitest';
import {
  decideBreachReport,
  type BreachEpisode,
  type BreachReport,
  type BreachReportInput,
} from './breach-compliance';
import type { ForecastBlock } from './control';

// Given a breach episode, the connection and what was told so far; when deciding; then what is sent.

const t = (hhmm: string) => new Date(`2026-03-02T${hhmm}:00Z`);

const block = (type: ForecastBlock['type'], requestId: string, from: string, to: string) =>
  ({
    type,
    start: t(from),
    end: t(to),
    limit: { value: 60, unit: 'A' },
    requestId,
    wire: { capacity: 60, unit: 'A', phase: 'ALL' },
  }) satisfies ForecastBlock;

const episode: BreachEpisode = {
  id: 'ep-1',
  circuit: { id: 'circuit-1', name: 'Main switchboard' },
  scopeIds: ['scope-1'],
  phase: 'L1',
  limitA: 60,
  measuredA: 70,
  since: t('10:00'),
  startedAt: t('10:01'),
  worsened: null,
  endedAt: null,
  limit: { connectionId: 'conn-1', mode: 'NORMAL' },
};

const given = (over: Partial<BreachReportInput> = {}): BreachReportInput => ({
  connection: {
    id: 'conn-1',
    groupId: 'G1',
    scopeId: 'scope-1',
    enabled: true,
    readyForBusiness: true,
  },
  episode,
  report: undefined,
  blocks: [
    block('CONSUMPTION', 'forecast-a', '09:00', '10:00'),
    block('CONSUMPTION', 'forecast-b', '10:00', '11:00'),
    block('FALLBACK_CONSUMPTION', 'fallback-f', '09:00', '12:00'),
  ],
  ...over,
});

const told: BreachReport = {
  connectionId: 'conn-1',
  episodeId: 'ep-1',
  circuitId: 'circuit-1',
  forecastRequestId: 'forecast-b',
  context: {
    circuitName: 'Main switchboard',
    phase: 'L1',
    limitA: 60,
    measuredA: 70,
    since: t('10:00').toISOString(),
    worsened: null,
  },
  startedRequestId: 'req-1',
  startedAt: t('10:01'),
  worsenedRequestId: null,
  worsenedAt: null,
  endedAt: null,
};

describe('the first compliance error of an episode', () => {
  it('is correlated to the accepted forecast whose block was in force when the breach started', () => {
    const decision = decideBreachReport(given(), 'req-1', t('10:01'));
    expect(decision.sends).toEqual([
      {
        kind: 'GroupCapacityComplianceError',
        requestId: 'req-1',
        correlationId: 'forecast-b',
        dedupeKey: 'breach-report:conn-1:ep-1:started',
        body: {
          message:
            'Capacity limit breached on circuit "Main switchboard" (group G1): L1 drew 70.0 A against a limit of 60.0 A per phase, over the limit since 2026-03-02T10:00:00.000Z.',
          forecasted_blocks: [
            {
              capacity: 60,
              unit: 'A',
              phase: 'ALL',
              start_time: '2026-03-02T10:00:00.000Z',
              end_time: '2026-03-02T11:00:00.000Z',
            },
          ],
        },
      },
    ]);
    expect(decision.report).toMatchObject({
      forecastRequestId: 'forecast-b',
      startedRequestId: 'req-1',
    });
    expect(decision.events).toEqual([
      expect.objectContaining({
        type: 'OscpBreachReported',
        data: expect.objectContaining({ reason: 'STARTED', forecastRequestId: 'forecast-b' }),
      }),
    ]);
  });

  it('in fallback, is correlated to the fallback forecast', () => {
    const offline = given({
      episode: { ...episode, limit: { connectionId: 'conn-1', mode: 'FALLBACK_OFFLINE' } },
    });
    expect(decideBreachReport(offline, 'req-1', t('10:01')).sends[0]?.correlationId).toBe(
      'fallback-f',
    );
  });

  it.each([
    [
      'the limit came from the gap policy',
      given({ episode: { ...episode, limit: { connectionId: 'conn-1', mode: 'GAP_POLICY' } } }),
      'the limit came from GAP_POLICY, not from an accepted forecast',
    ],
    [
      'the limit was not OSCP’s (a manual envelope)',
      given({ episode: { ...episode, limit: null } }),
      'the limit was not set by this connection',
    ],
    [
      'another connection set the limit',
      given({ episode: { ...episode, limit: { connectionId: 'conn-2', mode: 'NORMAL' } } }),
      'the limit was not set by this connection',
    ],
    [
      'no accepted forecast covers its start',
      given({ blocks: [block('CONSUMPTION', 'forecast-a', '09:00', '10:00')] }),
      'no accepted CONSUMPTION forecast covers 2026-03-02T10:01:00.000Z',
    ],
    [
      'the breach already ended',
      given({ episode: { ...episode, endedAt: t('10:02') } }),
      'the breach ended before it was told',
    ],
    [
      'the connection is not ready',
      given({
        connection: { ...given().connection, readyForBusiness: false },
      }),
      'the connection is not ready',
    ],
  ])('is not sent when %s', (_case, input, why) => {
    const decision = decideBreachReport(input, 'req-1', t('10:01'));
    expect(decision).toEqual({ report: undefined, events: [], sends: [], silentBecause: why });
  });
});

describe('after the first', () => {
  const worsened = {
    at: t('10:05'),
    phase: 'L2',
    measuredA: 80,
    limitA: 60,
    limit: { connectionId: 'conn-1', mode: 'NORMAL' },
  };

  it('nothing is sent while the breach continues unchanged', () => {
    expect(decideBreachReport(given({ report: told }), 'req-2', t('10:30')).sends).toEqual([]);
  });

  it('one more is sent when it worsens, and none after that', () => {
    const input = given({ report: told, episode: { ...episode, worsened } });
    const decision = decideBreachReport(input, 'req-2', t('10:05'));
    expect(decision.sends).toEqual([
      expect.objectContaining({
        requestId: 'req-2',
        correlationId: 'forecast-b',
        dedupeKey: 'breach-report:conn-1:ep-1:worsened',
        body: expect.objectContaining({
          message:
            'The capacity limit breach on circuit "Main switchboard" (group G1) has worsened: L2 draws 80.0 A against a limit of 60.0 A per phase; over the limit since 2026-03-02T10:00:00.000Z.',
        }),
      }),
    ]);
    const again = decideBreachReport(
      {
        ...input,
        report: decision.report!,
        episode: { ...episode, worsened: { ...worsened, at: t('10:09'), measuredA: 95 } },
      },
      'req-3',
      t('10:09'),
    );
    expect(again.sends).toEqual([]);
  });

  it('a worsening seen before the first report is not a second message', () => {
    const early = given({
      report: told,
      episode: { ...episode, worsened: { ...worsened, at: t('10:01') } },
    });
    expect(decideBreachReport(early, 'req-2', t('10:02')).sends).toEqual([]);
  });

  it('its end is recorded once, and nothing is sent for it', () => {
    const ended = given({ report: told, episode: { ...episode, endedAt: t('10:20') } });
    const decision = decideBreachReport(ended, 'req-2', t('10:21'));
    expect(decision.sends).toEqual([]);
    expect(decision.report?.endedAt).toEqual(t('10:20'));
    expect(decision.events.map((e) => e.type)).toEqual(['OscpReportedBreachEnded']);
    expect(
      decideBreachReport({ ...ended, report: decision.report! }, 'req-3', t('10:22')).events,
    ).toEqual([]);
  });
});
