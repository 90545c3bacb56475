import type {
  CapacityForecastType,
  ForecastedBlock,
  UpdateGroupCapacityForecast,
} from '@openvelope/oscp';
import type { ConnectionAuditEvent } from './audit-events';
import type { ConnectionProfile } from './connection-profile';
import {
  desiredEnvelope,
  limitFingerprint,
  nextBoundary,
  standbyFingerprint,
  type PlannedBlock,
} from './envelope-plan';
import {
  blockCovering,
  replaceBlocks,
  roleOf,
  translateForecast,
  type StoredBlock,
} from './forecast-translation';
import {
  decideMode,
  isFallbackMode,
  type ModeDecision,
  type OperatingMode,
} from './operating-mode';
import { refuse, type Refusal } from './refusal';

/**
 * OSCP control of a managed scope as a decider: forecast intake, the operating mode (normal,
 * fallback, gap policy, local) and the envelopes OSCP keeps on its scope (one LIMIT, one STANDBY
 * for fallback coverage). Its state is the connection's control record, saved with its events in
 * the transaction of the trigger: an accepted forecast, a lifecycle transition, a block boundary,
 * a disable or disconnect. Pure: the app loads the stored forecast blocks the decision needs,
 * supplies fresh ids, and carries out the effects (envelope change, notifications, due work).
 */

export interface LastForecast {
  requestId: string;
  type: CapacityForecastType;
  at: string;
  blocks: ForecastedBlock[];
  outcome: 'ACCEPTED' | 'REJECTED';
  reason: string | null;
}

export interface ControlState {
  mode: OperatingMode;
  reason: string;
  modeSince: Date;
  /** The LIMIT envelope in place and what it says (to know when to replace it). */
  envelopeId: string | null;
  envelopeFingerprint: string | null;
  /** Fallback coverage shown ahead (a STANDBY envelope, never enforced). */
  standbyEnvelopeId: string | null;
  standbyFingerprint: string | null;
  /** A CONSUMPTION or FALLBACK_CONSUMPTION block has been in force since control (re)started. */
  forecastReceived: boolean;
  lastForecast: LastForecast | null;
  disconnectedAt: Date | null;
  /** The open fallback incident, while in fallback mode. */
  incidentId: string | null;
}

export const NO_FORECAST_YET = 'no capacity forecast received yet';

export const initialControl = (now: Date): ControlState => ({
  mode: 'LOCAL',
  reason: NO_FORECAST_YET,
  modeSince: now,
  envelopeId: null,
  envelopeFingerprint: null,
  standbyEnvelopeId: null,
  standbyFingerprint: null,
  forecastReceived: false,
  lastForecast: null,
  disconnectedAt: null,
  incidentId: null,
});

/** The connection as control needs it. */
export interface ControlledConnection {
  id: string;
  displayName: string;
  groupId: string;
  microgridId: string;
  scopeId: string;
  enabled: boolean;
  /** The Capacity Provider's link counts as healthy (`linkHealthy` of the lifecycle). */
  linkHealthy: boolean;
  profile: Pick<ConnectionProfile, 'gapPolicy' | 'safeDefaultCapacity'>;
}

/** A stored forecast block; `id` names the stored row (absent on blocks not yet stored). */
export interface ForecastBlock extends StoredBlock {
  id?: number;
  type: CapacityForecastType;
  wire: Record<string, unknown>;
}

/** An envelope OSCP asks the microgrid for, named in advance. */
export interface EnvelopeRequest {
  id: string;
  role: 'LIMIT' | 'STANDBY';
  source: string;
  mode: string;
  fallbackReason?: string;
  blocks: PlannedBlock[];
}

/** Fresh ids for what a decision may create. */
export interface ControlIds {
  limitEnvelope: string;
  standbyEnvelope: string;
  incident: string;
}

export type ControlCommand =
  | {
      type: 'ReceiveForecast';
      requestId: string;
      forecast: UpdateGroupCapacityForecast;
      ids: ControlIds;
    }
  | { type: 'Reconcile'; trigger: string; ids: ControlIds }
  /** A valid forecast that the depot could not apply (its scope cannot take an envelope, say). */
  | {
      type: 'RecordUnappliedForecast';
      requestId: string;
      forecast: UpdateGroupCapacityForecast;
      reason: string;
    }
  | { type: 'End'; how: 'DISABLED' | 'DISCONNECTED'; by: string; ids: ControlIds }
  /** Enabling again starts anew: the disconnect mark and the old forecasts go. */
  | { type: 'Restart' };

export type ControlEffect =
  | {
      type: 'ReplaceForecastBlocks';
      forecastType: CapacityForecastType;
      remove: number[];
      add: ForecastBlock[];
    }
  | { type: 'DeleteForecastBlocks' }
  /** One envelope change: the circuit is refreshed once and steps from the old limit to the new. */
  | { type: 'ChangeEnvelopes'; submit: EnvelopeRequest[]; withdraw: string[] }
  | {
      type: 'RaiseNotification';
      notification: {
        kind: string;
        severity: 'INFO' | 'WARNING' | 'ALARM';
        title: string;
        message: string;
        context: Record<string, unknown>;
      };
    }
  | {
      type: 'OpenIncident';
      incident: { id: string; kind: string; title: string; context: Record<string, unknown> };
    }
  /** The open incident's condition changed (one fallback mode to another). */
  | { type: 'UpdateIncident'; id: string; change: { mode: string; reason: string; at: string } }
  | { type: 'ResolveIncident'; id: string; resolution: string }
  | { type: 'ScheduleReevaluation'; dueAt: Date }
  | { type: 'CancelReevaluation' };

export interface ControlInput {
  connection: ControlledConnection;
  control: ControlState;
  /** Stored CONSUMPTION and FALLBACK_CONSUMPTION blocks (and, for a forecast, those of its type) from `blocksNeeded`. */
  blocks: readonly ForecastBlock[];
}

export interface ControlDecision {
  state: ControlState;
  events: ConnectionAuditEvent[];
  effects: ControlEffect[];
  refusal?: Refusal;
}

const ENFORCED_TYPES: readonly CapacityForecastType[] = ['CONSUMPTION', 'FALLBACK_CONSUMPTION'];

/** Which stored blocks a command needs: the limits in force from now, and those a forecast may replace. */
export function blocksNeeded(
  command: ControlCommand,
  now: Date,
): { types: CapacityForecastType[]; from: Date } {
  if (command.type !== 'ReceiveForecast') return { types: [...ENFORCED_TYPES], from: now };
  const starts = command.forecast.forecasted_blocks
    .map((b) => new Date(b.start_time).getTime())
    .filter((t) => Number.isFinite(t));
  return {
    types: [...new Set([...ENFORCED_TYPES, command.forecast.type])],
    from: new Date(Math.min(now.getTime(), ...starts)),
  };
}

function modeChange(
  c: ControlledConnection,
  before: ControlState,
  decision: ModeDecision,
  next: ControlState,
  now: Date,
  trigger: string,
  ids: ControlIds,
): { events: ConnectionAuditEvent[]; effects: ControlEffect[]; state: ControlState } {
  const from = before.mode;
  const to = decision.mode;
  const at = now.toISOString();
  const context = {
    connectionId: c.id,
    connectionName: c.displayName,
    groupId: c.groupId,
    scopeId: c.scopeId,
    microgridId: c.microgridId,
  };
  const state: ControlState = { ...next, mode: to, reason: decision.reason, modeSince: now };
  const events: ConnectionAuditEvent[] = [
    {
      type: 'OscpModeChanged',
      data: {
        connectionId: c.id,
        from,
        to,
        reason: decision.reason,
        trigger,
        envelopeId: next.envelopeId,
        limit: decision.limit,
        at,
      },
    },
  ];
  const effects: ControlEffect[] = [];
  if (to === 'GAP_POLICY') {
    events.push({
      type: 'OscpGapPolicyApplied',
      data: {
        connectionId: c.id,
        policy: c.profile.gapPolicy,
        limit: decision.limit,
        reason: decision.reason,
        scopeId: c.scopeId,
        at,
      },
    });
  }
  if (isFallbackMode(to) && !isFallbackMode(from)) {
    events.push({
      type: 'OscpFallbackEntered',
      data: {
        connectionId: c.id,
        mode: to,
        reason: decision.reason,
        limit: decision.limit,
        scopeId: c.scopeId,
        at,
      },
    });
    effects.push(
      {
        type: 'RaiseNotification',
        notification: {
          kind: 'FALLBACK_ENTERED',
          severity: 'WARNING',
          title: `Fallback mode: ${c.displayName}`,
          message: decision.reason,
          context: { ...context, mode: to },
        },
      },
      {
        type: 'OpenIncident',
        incident: {
          id: ids.incident,
          kind: 'OSCP_FALLBACK',
          title: `Fallback mode on ${c.displayName} (group ${c.groupId})`,
          context: {
            ...context,
            mode: to,
            reason: decision.reason,
            history: [{ mode: to, reason: decision.reason, at }],
          },
        },
      },
    );
    state.incidentId = ids.incident;
  } else if (isFallbackMode(from) && isFallbackMode(to)) {
    // Still fallback mode, but another kind of it (FALLBACK_GAP → GAP_POLICY, say): operators
    // hear of it and the open incident says what holds now.
    effects.push({
      type: 'RaiseNotification',
      notification: {
        kind: 'FALLBACK_CHANGED',
        severity: 'WARNING',
        title: `Fallback mode changed: ${c.displayName}`,
        message: `${from} → ${to}: ${decision.reason}`,
        context: { ...context, mode: to, from },
      },
    });
    if (before.incidentId)
      effects.push({
        type: 'UpdateIncident',
        id: before.incidentId,
        change: { mode: to, reason: decision.reason, at },
      });
  } else if (isFallbackMode(from) && !isFallbackMode(to)) {
    events.push({
      type: 'OscpFallbackExited',
      data: {
        connectionId: c.id,
        mode: to,
        reason: decision.reason,
        since: before.modeSince.toISOString(),
        scopeId: c.scopeId,
        at,
      },
    });
    if (before.incidentId)
      effects.push({
        type: 'ResolveIncident',
        id: before.incidentId,
        resolution: `Recovered: ${decision.reason}`,
      });
    effects.push({
      type: 'RaiseNotification',
      notification: {
        kind: 'FALLBACK_EXITED',
        severity: 'INFO',
        title: `Fallback mode ended: ${c.displayName}`,
        message: decision.reason,
        context: { ...context, mode: to },
      },
    });
    state.incidentId = null;
  }
  return { events, effects, state };
}

const planned = ({ start, end, limit }: PlannedBlock): PlannedBlock => ({ start, end, limit });

/**
 * Decides the mode now and makes the scope's OSCP envelopes match it, as one envelope change.
 * Idempotent: deciding again with nothing changed changes nothing.
 */
function reconcile(
  c: ControlledConnection,
  control: ControlState,
  blocks: readonly ForecastBlock[],
  now: Date,
  trigger: string,
  ids: ControlIds,
): ControlDecision {
  const inForce = blocks.filter((b) => b.end > now);
  const primary = inForce.filter((b) => b.type === 'CONSUMPTION');
  const fallback = inForce.filter((b) => b.type === 'FALLBACK_CONSUMPTION');
  const active = c.enabled && control.disconnectedAt === null;
  const primaryNow = blockCovering(primary, now);
  const fallbackNow = blockCovering(fallback, now);
  // Control begins with the first block in force, not with the first forecast received: a
  // day-ahead forecast says nothing about today, and must not put the scope on its gap policy
  // until it starts (ADR 0012: no gap policy before the grid operator has said anything).
  const began =
    active && (control.forecastReceived || primaryNow !== undefined || fallbackNow !== undefined);
  const decision = decideMode({
    active,
    online: c.linkHealthy,
    forecastReceived: began,
    primaryNow,
    fallbackNow,
    gapPolicy: c.profile.gapPolicy,
    firstBlockAt: [...primary, ...fallback]
      .map((b) => b.start)
      .filter((start) => start > now)
      .sort((a, b) => a.getTime() - b.getTime())[0],
    safeDefault: {
      value: c.profile.safeDefaultCapacity.value,
      unit: c.profile.safeDefaultCapacity.unit,
    },
  });
  const desired = desiredEnvelope(decision, primary, fallback, now, c.displayName);
  const print = limitFingerprint(decision.mode, desired);
  const standbyBlocks = active ? fallback : [];
  const standbyPrint = standbyFingerprint(standbyBlocks);

  const submit: EnvelopeRequest[] = [];
  const withdraw: string[] = [];
  const limitChanges = print !== control.envelopeFingerprint;
  const standbyChanges = standbyPrint !== control.standbyFingerprint;
  if (limitChanges) {
    if (control.envelopeId) withdraw.push(control.envelopeId);
    if (desired)
      submit.push({
        id: ids.limitEnvelope,
        role: 'LIMIT',
        source: desired.source,
        mode: decision.mode,
        ...(isFallbackMode(decision.mode) ? { fallbackReason: decision.reason } : {}),
        blocks: desired.blocks.map(planned),
      });
  }
  if (standbyChanges) {
    if (control.standbyEnvelopeId) withdraw.push(control.standbyEnvelopeId);
    // Fallback coverage ahead: the depot's envelope view shows it next to the primary
    // forecast, and it is never enforced (the LIMIT one is).
    if (standbyBlocks.length > 0)
      submit.push({
        id: ids.standbyEnvelope,
        role: 'STANDBY',
        source: `OSCP fallback coverage (${c.displayName})`,
        mode: 'STANDBY',
        blocks: standbyBlocks.map(planned),
      });
  }
  const effects: ControlEffect[] =
    submit.length + withdraw.length > 0 ? [{ type: 'ChangeEnvelopes', submit, withdraw }] : [];
  let state: ControlState = {
    ...control,
    envelopeId: limitChanges ? (desired ? ids.limitEnvelope : null) : control.envelopeId,
    envelopeFingerprint: print,
    standbyEnvelopeId: standbyChanges
      ? standbyBlocks.length > 0
        ? ids.standbyEnvelope
        : null
      : control.standbyEnvelopeId,
    standbyFingerprint: standbyPrint,
    forecastReceived: began,
  };
  let events: ConnectionAuditEvent[] = [];
  if (decision.mode !== control.mode) {
    const changed = modeChange(c, control, decision, state, now, trigger, ids);
    state = changed.state;
    events = changed.events;
    effects.push(...changed.effects);
  } else {
    state.reason = decision.reason;
  }
  const due = nextBoundary([...primary, ...fallback], desired, now);
  // Also while LOCAL before the first block: its start is when control begins.
  effects.push(
    due && active ? { type: 'ScheduleReevaluation', dueAt: due } : { type: 'CancelReevaluation' },
  );
  return { state, events, effects };
}

/** The forecast is on record as rejected, with why; nothing else changes. */
function rejected(
  input: ControlInput,
  requestId: string,
  forecast: UpdateGroupCapacityForecast,
  reason: string,
  now: Date,
): ControlDecision {
  const { connection: c, control } = input;
  const at = now.toISOString();
  return {
    state: {
      ...control,
      lastForecast: {
        requestId,
        type: forecast.type,
        at,
        blocks: forecast.forecasted_blocks,
        outcome: 'REJECTED',
        reason,
      },
    },
    events: [
      {
        type: 'OscpForecastRejected',
        data: {
          connectionId: c.id,
          requestId,
          type: forecast.type,
          binding: { groupId: c.groupId, microgridId: c.microgridId, scopeId: c.scopeId },
          reason,
          at,
        },
      },
    ],
    effects: [],
  };
}

function receiveForecast(
  input: ControlInput,
  command: Extract<ControlCommand, { type: 'ReceiveForecast' }>,
  now: Date,
): ControlDecision {
  const { connection: c, control } = input;
  const { requestId, forecast } = command;
  const at = now.toISOString();
  const binding = { groupId: c.groupId, microgridId: c.microgridId, scopeId: c.scopeId };
  const summary = { requestId, type: forecast.type, at, blocks: forecast.forecasted_blocks };
  const translation = translateForecast(forecast.forecasted_blocks);
  if (!translation.ok) {
    return {
      ...rejected(input, requestId, forecast, translation.message, now),
      refusal: refuse('invalid', translation.message),
    };
  }
  const { role, direction } = roleOf(forecast.type);
  const incoming: ForecastBlock[] = translation.blocks.map((b) => ({
    type: forecast.type,
    start: b.start,
    end: b.end,
    limit: b.limit,
    requestId,
    wire: b.wire,
  }));
  const span = {
    start: incoming[0]!.start,
    end: new Date(Math.max(...incoming.map((b) => b.end.getTime()))),
  };
  // ADR 0026's rule, the one function its tests check.
  const stored = input.blocks.filter((b) => b.type === forecast.type);
  const kept = replaceBlocks(stored, incoming);
  const removed = stored.filter((b) => !kept.includes(b));
  const added = kept.filter((b) => !stored.includes(b));
  const blocks = [...input.blocks.filter((b) => b.type !== forecast.type), ...kept];
  const accepted: ConnectionAuditEvent = {
    type: 'OscpForecastAccepted',
    data: {
      connectionId: c.id,
      requestId,
      type: forecast.type,
      role,
      direction,
      binding,
      span: { start: span.start.toISOString(), end: span.end.toISOString() },
      replacedBlocks: removed.length,
      translation: translation.blocks.map((b) => ({
        index: b.index,
        start: b.start.toISOString(),
        end: b.end.toISOString(),
        limit: b.limit,
      })),
      enforced: role !== 'OPTIMUM' && direction === 'IMPORT',
      at,
    },
  };
  // OSCP control begins when a CONSUMPTION or FALLBACK_CONSUMPTION block is first in force
  // (see reconcile), not when a forecast about later arrives.
  const reconciled = reconcile(
    c,
    { ...control, lastForecast: { ...summary, outcome: 'ACCEPTED', reason: null } },
    blocks,
    now,
    `forecast ${requestId} accepted`,
    command.ids,
  );
  return {
    state: reconciled.state,
    events: [accepted, ...reconciled.events],
    effects: [
      {
        type: 'ReplaceForecastBlocks',
        forecastType: forecast.type,
        remove: removed.flatMap((b) => (b.id === undefined ? [] : [b.id])),
        add: added,
      },
      ...reconciled.effects,
    ],
  };
}

export function decideControl(
  input: ControlInput,
  command: ControlCommand,
  now: Date,
): ControlDecision {
  const { connection: c, control } = input;
  switch (command.type) {
    case 'ReceiveForecast':
      return receiveForecast(input, command, now);
    case 'Reconcile':
      return reconcile(c, control, input.blocks, now, command.trigger, command.ids);
    case 'RecordUnappliedForecast':
      return rejected(input, command.requestId, command.forecast, command.reason, now);
    case 'End': {
      const ended = reconcile(
        { ...c, enabled: false },
        {
          ...control,
          disconnectedAt: command.how === 'DISCONNECTED' ? now : control.disconnectedAt,
          forecastReceived: false,
        },
        input.blocks,
        now,
        command.how === 'DISCONNECTED' ? 'intentional disconnect' : 'connection disabled',
        command.ids,
      );
      return {
        ...ended,
        events: [
          ...ended.events,
          {
            type: 'OscpControlHandedOver',
            data: {
              connectionId: c.id,
              how: command.how,
              by: command.by,
              scopeId: c.scopeId,
              groupId: c.groupId,
              withdrawnEnvelopeId: control.envelopeId,
              message: `OSCP control ended at ${now.toISOString()}; local control resumed.`,
              at: now.toISOString(),
            },
          },
        ],
      };
    }
    case 'Restart':
      return {
        state: { ...control, disconnectedAt: null, forecastReceived: false },
        events: [],
        effects: [{ type: 'DeleteForecastBlocks' }],
      };
  }
}
