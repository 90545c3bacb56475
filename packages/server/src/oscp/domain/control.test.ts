import type { ForecastedBlock } from '@openvelope/oscp';
import { describe, expect, it } from 'vitest';
import {
  decideControl,
  initialControl,
  type ControlCommand,
  type ControlDecision,
  type ControlEffect,
  type ControlState,
  type ControlledConnection,
  type ForecastBlock,
} from './control';

/*
 * OSCP control as a decider: given the control record, the connection's phase and the stored
 * forecast blocks, when a command, then the next record, the audit events and the effects (the
 * envelope change, notifications, incidents, the next re-evaluation). Every operating-mode
 * transition of ADR 0012, without a database.
 */

const T0 = new Date('2026-03-02T09:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const iso = (minutes: number) => at(minutes).toISOString();
const IDS = { limitEnvelope: 'env-limit', standbyEnvelope: 'env-standby', incident: 'inc-1' };

const connection = (overrides: Partial<ControlledConnection> = {}): ControlledConnection => ({
  id: 'conn-1',
  displayName: 'Depot CP',
  groupId: 'GRP1',
  microgridId: 'mg',
  scopeId: 'scope',
  enabled: true,
  linkHealthy: true,
  profile: {
    gapPolicy: 'SAFE_DEFAULT_CAPACITY',
    safeDefaultCapacity: { value: 10, unit: 'A' },
  },
  ...overrides,
});

let nextId = 1;
function stored(
  type: ForecastBlock['type'],
  from: number,
  to: number,
  amps: number,
  requestId = 'f-1',
): ForecastBlock {
  return {
    id: nextId++,
    type,
    start: at(from),
    end: at(to),
    limit: { value: amps, unit: 'A' },
    requestId,
    wire: { capacity: amps, unit: 'A', phase: 'ALL' },
  };
}

const wire = (from: number, to: number, amps: number): ForecastedBlock => ({
  capacity: amps,
  unit: 'A',
  phase: 'ALL',
  start_time: iso(from),
  end_time: iso(to),
});

function when(
  given: { control?: ControlState; blocks?: ForecastBlock[]; connection?: ControlledConnection },
  command: ControlCommand,
  now = T0,
): ControlDecision {
  return decideControl(
    {
      connection: given.connection ?? connection(),
      control: given.control ?? initialControl(at(-60)),
      blocks: given.blocks ?? [],
    },
    command,
    now,
  );
}

const reconcile: ControlCommand = { type: 'Reconcile', trigger: 'test', ids: IDS };
const forecast = (
  requestId: string,
  blocks: ForecastedBlock[],
  type: ForecastBlock['type'] = 'CONSUMPTION',
): ControlCommand => ({
  type: 'ReceiveForecast',
  requestId,
  forecast: { group_id: 'GRP1', type, forecasted_blocks: blocks },
  ids: IDS,
});
const types = (d: ControlDecision) => d.events.map((e) => e.type);
const effectsOf = <T extends ControlEffect['type']>(d: ControlDecision, type: T) =>
  d.effects.filter((e): e is Extract<ControlEffect, { type: T }> => e.type === type);

/** Runs a decision and returns the state to give the next one. */
const after = (d: ControlDecision): ControlState => d.state;

describe('forecast intake', () => {
  it('a forecast in force puts the scope under NORMAL control with the chain of its blocks', () => {
    const then = when({}, forecast('f-1', [wire(-5, 10, 100), wire(10, 25, 80), wire(40, 55, 60)]));
    expect(types(then)).toEqual(['OscpForecastAccepted', 'OscpModeChanged']);
    expect(then.events[0]!.data).toMatchObject({
      requestId: 'f-1',
      type: 'CONSUMPTION',
      replacedBlocks: 0,
      enforced: true,
      span: { start: iso(-5), end: iso(55) },
    });
    expect(then.events[1]!.data).toMatchObject({
      from: 'LOCAL',
      to: 'NORMAL',
      reason: 'capacity forecast in force',
      trigger: 'forecast f-1 accepted',
      envelopeId: 'env-limit',
      limit: { value: 100, unit: 'A' },
    });
    const [change] = effectsOf(then, 'ChangeEnvelopes');
    expect(change!.withdraw).toEqual([]);
    // Contiguous blocks from the one in force; the later one waits for its own turn.
    expect(change!.submit).toEqual([
      {
        id: 'env-limit',
        role: 'LIMIT',
        source: 'OSCP forecast (Depot CP)',
        mode: 'NORMAL',
        blocks: [
          { start: at(-5), end: at(10), limit: { value: 100, unit: 'A' } },
          { start: at(10), end: at(25), limit: { value: 80, unit: 'A' } },
        ],
      },
    ]);
    expect(effectsOf(then, 'ReplaceForecastBlocks')[0]).toMatchObject({
      remove: [],
      add: [{}, {}, {}],
    });
    expect(effectsOf(then, 'ScheduleReevaluation')).toEqual([
      { type: 'ScheduleReevaluation', dueAt: at(10) },
    ]);
    expect(then.state).toMatchObject({
      mode: 'NORMAL',
      envelopeId: 'env-limit',
      forecastReceived: true,
      modeSince: T0,
      lastForecast: { requestId: 'f-1', outcome: 'ACCEPTED', reason: null },
    });
  });

  it('a forecast only about later keeps local control until its first block starts', () => {
    const then = when({}, forecast('day-ahead', [wire(60, 120, 50)]));
    expect(types(then)).toEqual(['OscpForecastAccepted']);
    expect(then.state.mode).toBe('LOCAL');
    // Says what happened: not "no capacity forecast received yet".
    expect(then.state.reason).toBe(
      `a capacity forecast was accepted; OSCP control begins with its first block at ${iso(60)}`,
    );
    expect(effectsOf(then, 'ChangeEnvelopes')).toEqual([]);
    expect(effectsOf(then, 'ScheduleReevaluation')).toEqual([
      { type: 'ScheduleReevaluation', dueAt: at(60) },
    ]);
  });

  it('replaces the time its span covers in the stored blocks of its type (ADR 0026), and only that', () => {
    const old = [
      stored('CONSUMPTION', -30, -15, 90),
      stored('CONSUMPTION', -15, 15, 90),
      stored('CONSUMPTION', 15, 30, 90),
      stored('CONSUMPTION', 60, 90, 90),
    ];
    const fallback = stored('FALLBACK_CONSUMPTION', 0, 60, 40);
    const then = when({ blocks: [...old, fallback] }, forecast('f-2', [wire(0, 30, 70)]));
    const [replace] = effectsOf(then, 'ReplaceForecastBlocks');
    expect(replace!.forecastType).toBe('CONSUMPTION');
    // The block reaching into the span keeps its part before it; the one inside it goes.
    expect(replace!.remove).toEqual([old[1]!.id, old[2]!.id]);
    expect(replace!.add.map((b) => [b.start, b.end, b.limit.value, b.id])).toEqual([
      [at(-15), at(0), 90, undefined],
      [at(0), at(30), 70, undefined],
    ]);
    expect(then.events[0]!.data).toMatchObject({ replacedBlocks: 2 });
  });

  it('rejects a forecast it cannot translate: recorded, refused, nothing else changes', () => {
    const before = after(when({}, forecast('f-1', [wire(-5, 30, 100)])));
    const then = when({ control: before }, forecast('bad', [wire(0, 15, 50), wire(10, 20, 40)]));
    expect(then.refusal).toEqual({
      code: 'invalid',
      message: 'forecasted_blocks[1]: overlaps forecasted_blocks[0]',
    });
    expect(types(then)).toEqual(['OscpForecastRejected']);
    expect(then.effects).toEqual([]);
    expect(then.state).toEqual({
      ...before,
      lastForecast: expect.objectContaining({ requestId: 'bad', outcome: 'REJECTED' }),
    });
  });

  it('deciding again with nothing changed changes nothing', () => {
    const blocks = [stored('CONSUMPTION', -5, 30, 100)];
    const first = when({ blocks }, reconcile);
    const again = when({ blocks, control: after(first) }, reconcile, at(1));
    expect(again.events).toEqual([]);
    expect(effectsOf(again, 'ChangeEnvelopes')).toEqual([]);
  });
});

describe('operating modes (ADR 0012)', () => {
  const primary = stored('CONSUMPTION', -5, 30, 100);
  const fallback = stored('FALLBACK_CONSUMPTION', -5, 120, 40);
  const normal = after(when({ blocks: [primary, fallback] }, reconcile));

  it('keeps fallback coverage ahead as a STANDBY envelope that is never enforced', () => {
    const then = when({ blocks: [primary, fallback] }, reconcile);
    const [change] = effectsOf(then, 'ChangeEnvelopes');
    expect(change!.submit.map((s) => [s.role, s.id])).toEqual([
      ['LIMIT', 'env-limit'],
      ['STANDBY', 'env-standby'],
    ]);
    expect(then.state.standbyEnvelopeId).toBe('env-standby');
  });

  it('NORMAL → FALLBACK_OFFLINE when the peer goes offline: yellow, a warning and an incident', () => {
    const then = when(
      {
        control: normal,
        blocks: [primary, fallback],
        connection: connection({ linkHealthy: false }),
      },
      { type: 'Reconcile', trigger: 'connection OFFLINE', ids: IDS },
      at(1),
    );
    expect(types(then)).toEqual(['OscpModeChanged', 'OscpFallbackEntered']);
    expect(then.events[1]!.data).toMatchObject({
      mode: 'FALLBACK_OFFLINE',
      reason: 'the Capacity Provider is offline; its fallback forecast applies',
      limit: { value: 40, unit: 'A' },
    });
    expect(effectsOf(then, 'RaiseNotification')[0]!.notification).toMatchObject({
      kind: 'FALLBACK_ENTERED',
      severity: 'WARNING',
    });
    expect(effectsOf(then, 'OpenIncident')[0]!.incident).toMatchObject({
      id: 'inc-1',
      kind: 'OSCP_FALLBACK',
      context: {
        mode: 'FALLBACK_OFFLINE',
        history: [{ mode: 'FALLBACK_OFFLINE', at: iso(1) }],
      },
    });
    const [change] = effectsOf(then, 'ChangeEnvelopes');
    expect(change!.withdraw).toEqual([normal.envelopeId]);
    expect(change!.submit[0]).toMatchObject({
      role: 'LIMIT',
      mode: 'FALLBACK_OFFLINE',
      fallbackReason: 'the Capacity Provider is offline; its fallback forecast applies',
    });
    expect(then.state).toMatchObject({ mode: 'FALLBACK_OFFLINE', incidentId: 'inc-1' });
  });

  it('offline with no fallback block: the gap policy’s safe default', () => {
    const then = when(
      { control: normal, blocks: [primary], connection: connection({ linkHealthy: false }) },
      reconcile,
      at(1),
    );
    expect(types(then)).toEqual(['OscpModeChanged', 'OscpGapPolicyApplied', 'OscpFallbackEntered']);
    expect(then.events[1]!.data).toMatchObject({
      policy: 'SAFE_DEFAULT_CAPACITY',
      limit: { value: 10, unit: 'A' },
    });
    expect(effectsOf(then, 'ChangeEnvelopes')[0]!.submit[0]).toMatchObject({
      source: 'OSCP gap policy: safe default (Depot CP)',
      blocks: [{ start: at(1), limit: { value: 10, unit: 'A' } }],
    });
  });

  it('online but no primary block: FALLBACK_GAP on the fallback forecast, then GAP_POLICY when that ends too', () => {
    const gap = when({ control: normal, blocks: [primary, fallback] }, reconcile, at(31));
    expect(gap.state.mode).toBe('FALLBACK_GAP');
    expect(types(gap)).toEqual(['OscpModeChanged', 'OscpFallbackEntered']);
    const none = when({ control: after(gap), blocks: [primary, fallback] }, reconcile, at(121));
    expect(none.state.mode).toBe('GAP_POLICY');
    // Still fallback mode: no second entry, the incident stays open and says what holds now.
    expect(types(none)).toEqual(['OscpModeChanged', 'OscpGapPolicyApplied']);
    expect(none.state.incidentId).toBe('inc-1');
    expect(effectsOf(none, 'RaiseNotification')[0]!.notification).toMatchObject({
      kind: 'FALLBACK_CHANGED',
      severity: 'WARNING',
      message: expect.stringMatching(/^FALLBACK_GAP → GAP_POLICY: /),
    });
    expect(effectsOf(none, 'UpdateIncident')).toEqual([
      {
        type: 'UpdateIncident',
        id: 'inc-1',
        change: { mode: 'GAP_POLICY', reason: none.state.reason, at: iso(121) },
      },
    ]);
    expect(effectsOf(none, 'OpenIncident')).toEqual([]);
  });

  it('LOCAL_CONTROL gap policy lifts every limit: the circuit’s own capacity applies', () => {
    const then = when(
      {
        control: normal,
        blocks: [primary],
        connection: connection({
          linkHealthy: false,
          profile: { gapPolicy: 'LOCAL_CONTROL', safeDefaultCapacity: { value: 10, unit: 'A' } },
        }),
      },
      reconcile,
      at(1),
    );
    expect(then.state).toMatchObject({ mode: 'GAP_POLICY', envelopeId: null });
    // The fallback coverage went with the fallback blocks.
    expect(effectsOf(then, 'ChangeEnvelopes')[0]).toEqual({
      type: 'ChangeEnvelopes',
      submit: [],
      withdraw: [normal.envelopeId, normal.standbyEnvelopeId],
    });
  });

  it('back to NORMAL: fallback exits, the incident resolves, operators are told', () => {
    const inFallback = after(
      when(
        {
          control: normal,
          blocks: [primary, fallback],
          connection: connection({ linkHealthy: false }),
        },
        reconcile,
        at(1),
      ),
    );
    const then = when({ control: inFallback, blocks: [primary, fallback] }, reconcile, at(2));
    expect(types(then)).toEqual(['OscpModeChanged', 'OscpFallbackExited']);
    expect(then.events[1]!.data).toMatchObject({ since: iso(1) });
    expect(effectsOf(then, 'ResolveIncident')).toEqual([
      { type: 'ResolveIncident', id: 'inc-1', resolution: 'Recovered: capacity forecast in force' },
    ]);
    expect(effectsOf(then, 'RaiseNotification')[0]!.notification).toMatchObject({
      kind: 'FALLBACK_EXITED',
      severity: 'INFO',
    });
    expect(then.state).toMatchObject({ mode: 'NORMAL', incidentId: null });
  });
});

describe('ending and restarting control', () => {
  const blocks = [stored('CONSUMPTION', -5, 30, 100), stored('FALLBACK_CONSUMPTION', -5, 60, 40)];
  const normal = after(when({ blocks }, reconcile));

  it('a disconnect withdraws every OSCP envelope at once and hands the scope back to local control', () => {
    const then = when(
      { control: normal, blocks },
      { type: 'End', how: 'DISCONNECTED', by: 'mia', ids: IDS },
      at(1),
    );
    expect(types(then)).toEqual(['OscpModeChanged', 'OscpControlHandedOver']);
    expect(then.events[1]!.data).toMatchObject({
      how: 'DISCONNECTED',
      by: 'mia',
      withdrawnEnvelopeId: 'env-limit',
    });
    expect(effectsOf(then, 'ChangeEnvelopes')).toEqual([
      { type: 'ChangeEnvelopes', submit: [], withdraw: ['env-limit', 'env-standby'] },
    ]);
    expect(effectsOf(then, 'CancelReevaluation')).toHaveLength(1);
    expect(then.state).toMatchObject({
      mode: 'LOCAL',
      disconnectedAt: at(1),
      envelopeId: null,
      standbyEnvelopeId: null,
    });
  });

  it('enabling again clears the disconnect and the old forecasts', () => {
    const disconnected = after(
      when({ control: normal, blocks }, { type: 'End', how: 'DISCONNECTED', by: 'mia', ids: IDS }),
    );
    const then = when({ control: disconnected, blocks }, { type: 'Restart' });
    expect(then.effects).toEqual([{ type: 'DeleteForecastBlocks' }]);
    expect(then.state).toMatchObject({ disconnectedAt: null, forecastReceived: false });
  });
});
