import type { UpdateGroupCapacityForecast } from '@openvelope/oscp';
import type { Clock } from '../../platform/clock';
import type { Db, Trx } from '../../platform/db/database';
import { appendToStream, type NewEvent } from '../../platform/events/event-store';
import { cancelWork, scheduleWork, type DueWork } from '../../platform/scheduler/scheduler';
import type { EnvelopeSubmission, EnvelopeService } from '../../microgrid/app/envelopes';
import type { NotificationService } from '../../notifications/app/notifications';
import {
  blockCovering,
  roleOf,
  translateForecast,
  type StoredBlock,
  type TranslatedLimit,
} from '../domain/forecast-translation';
import {
  decideMode,
  isFallbackMode,
  type ModeDecision,
  type OperatingMode,
} from '../domain/operating-mode';
import * as forecasts from '../store/forecast-store';
import * as projection from '../store/connection-projection';
import { InboundRefusal } from './lifecycle';
import { connectionAuditStream } from './stream-names';

export const CONTROL_WORK = 'oscp-control-reevaluate';

/** The slice of the microgrid's OperatingEnvelope contract OSCP uses, inside its own transactions. */
export type EnvelopePort = Pick<EnvelopeService, 'changeWithin'>;

type Snapshot = projection.ConnectionRow;

const DAY_MS = 24 * 3600_000;

/** Blocks from the one covering now, while each next one starts where the previous ended. */
function chainFrom(blocks: readonly StoredBlock[], first: StoredBlock): StoredBlock[] {
  const chain = [first];
  for (const b of blocks) {
    const last = chain[chain.length - 1]!;
    if (b.start.getTime() === last.end.getTime()) chain.push(b);
  }
  return chain;
}

interface DesiredEnvelope {
  source: string;
  blocks: { start: Date; end: Date; limit: TranslatedLimit }[];
}

function desiredEnvelope(
  decision: ModeDecision,
  primary: readonly StoredBlock[],
  fallback: readonly StoredBlock[],
  now: Date,
  label: string,
): DesiredEnvelope | null {
  if (!decision.limit) return null;
  if (decision.mode === 'NORMAL' && decision.block) {
    return { source: `OSCP forecast (${label})`, blocks: chainFrom(primary, decision.block) };
  }
  if (
    (decision.mode === 'FALLBACK_OFFLINE' || decision.mode === 'FALLBACK_GAP') &&
    decision.block
  ) {
    return {
      source: `OSCP fallback forecast (${label})`,
      blocks: chainFrom(fallback, decision.block),
    };
  }
  // Gap policy: until the next primary block starts, or a day ahead (re-decided well before).
  const nextPrimary = primary.find((b) => b.start > now);
  const end = nextPrimary ? nextPrimary.start : new Date(now.getTime() + DAY_MS);
  return {
    source: `OSCP gap policy: safe default (${label})`,
    blocks: [{ start: now, end, limit: decision.limit }],
  };
}

function fingerprint(mode: OperatingMode, desired: DesiredEnvelope | null): string {
  return JSON.stringify({
    mode,
    blocks:
      desired?.blocks.map((b) => [
        b.start.toISOString(),
        b.end.toISOString(),
        b.limit.value,
        b.limit.unit,
      ]) ?? [],
  });
}

/** The next instant the decision may change: a block starts or ends. */
function nextBoundary(
  blocks: readonly StoredBlock[],
  desired: DesiredEnvelope | null,
  now: Date,
): Date | undefined {
  const instants = [
    ...blocks.flatMap((b) => [b.start, b.end]),
    ...(desired?.blocks.flatMap((b) => [b.end]) ?? []),
  ]
    .map((d) => d.getTime())
    .filter((t) => t > now.getTime());
  return instants.length > 0 ? new Date(Math.min(...instants)) : undefined;
}

/** An envelope submission of OSCP's: its origin names the connection and the mode behind it. */
function oscpSubmission(
  snap: Snapshot,
  envelope: {
    role: 'LIMIT' | 'STANDBY';
    source: string;
    mode: string;
    fallbackReason?: string;
    blocks: readonly { start: Date; end: Date; limit: TranslatedLimit }[];
  },
): EnvelopeSubmission {
  return {
    scopeId: snap.scopeId,
    role: envelope.role,
    source: envelope.source,
    origin: {
      kind: 'ADAPTER',
      adapter: 'oscp',
      reference: { connectionId: snap.id, groupId: snap.groupId, mode: envelope.mode },
      ...(envelope.fallbackReason ? { fallbackReason: envelope.fallbackReason } : {}),
    },
    blocks: envelope.blocks.map((b) => ({
      start: b.start.toISOString(),
      end: b.end.toISOString(),
      importLimit: b.limit,
    })),
  };
}

/**
 * OSCP control of a managed scope: forecast intake, the operating mode (normal, fallback, gap
 * policy, local) and the one envelope OSCP keeps on the scope. Every decision runs under the
 * connection's row lock, in the transaction of its trigger: an accepted forecast, a lifecycle
 * transition (online/offline), a block boundary (durable due work), a disable or disconnect.
 */
export class ControlService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly envelopes: EnvelopePort,
    private readonly notifications: NotificationService,
  ) {}

  async #audit(
    trx: Trx,
    connectionId: string,
    type: string,
    data: Record<string, unknown>,
    now: Date,
  ): Promise<void> {
    const event: NewEvent = { type, data: { connectionId, ...data, at: now.toISOString() } };
    await appendToStream(trx, connectionAuditStream(connectionId), 'any', [event], now);
  }

  /** An UpdateGroupCapacityForecast from the connection's peer, already authenticated and ready for business. */
  async receiveForecast(
    connectionId: string,
    requestId: string,
    body: UpdateGroupCapacityForecast,
  ): Promise<void> {
    const now = this.clock.now();
    const { role, direction } = roleOf(body.type);
    const translation = translateForecast(body.forecasted_blocks);
    await this.db.transaction().execute(async (trx) => {
      const snap = (await projection.findConnection(trx, connectionId, true))!;
      const control = await this.#control(trx, connectionId, now);
      const binding = {
        groupId: snap.groupId,
        microgridId: snap.microgridId,
        scopeId: snap.scopeId,
      };
      const summary = {
        requestId,
        type: body.type,
        at: now.toISOString(),
        blocks: body.forecasted_blocks,
      };
      if (!translation.ok) {
        await this.#audit(
          trx,
          connectionId,
          'OscpForecastRejected',
          { requestId, type: body.type, binding, reason: translation.message },
          now,
        );
        await forecasts.saveControl(
          trx,
          {
            ...control,
            lastForecast: { ...summary, outcome: 'REJECTED', reason: translation.message },
          },
          now,
        );
        return;
      }
      const incoming = translation.blocks.map((b) => ({
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
      const replaced = await forecasts.replaceStoredBlocks(
        trx,
        connectionId,
        body.type,
        span,
        incoming,
        now,
      );
      await this.#audit(
        trx,
        connectionId,
        'OscpForecastAccepted',
        {
          requestId,
          type: body.type,
          role,
          direction,
          binding,
          span: { start: span.start.toISOString(), end: span.end.toISOString() },
          replacedBlocks: replaced,
          translation: translation.blocks.map((b) => ({
            index: b.index,
            start: b.start.toISOString(),
            end: b.end.toISOString(),
            limit: b.limit,
          })),
          enforced: role !== 'OPTIMUM' && direction === 'IMPORT',
        },
        now,
      );
      // OSCP control begins when a CONSUMPTION or FALLBACK_CONSUMPTION block is first in force
      // (see reconcile), not when a forecast about later arrives. Reconcile saves the control row.
      await this.reconcile(trx, snap, now, `forecast ${requestId} accepted`, {
        ...control,
        lastForecast: { ...summary, outcome: 'ACCEPTED', reason: null },
      });
    });
    if (!translation.ok) throw new InboundRefusal(400, translation.message);
  }

  async #control(trx: Trx, connectionId: string, now: Date): Promise<forecasts.ControlRow> {
    return (
      (await forecasts.findControl(trx, connectionId)) ?? {
        connectionId,
        mode: 'LOCAL',
        reason: 'no capacity forecast received yet',
        modeSince: now,
        envelopeId: null,
        envelopeFingerprint: null,
        standbyEnvelopeId: null,
        standbyFingerprint: null,
        forecastReceived: false,
        lastForecast: null,
        disconnectedAt: null,
        incidentId: null,
      }
    );
  }

  /**
   * Decides the mode now and makes the scope's OSCP envelopes match it, as one envelope change.
   * Idempotent. `current` is the control row when the caller has already read (and amended) it.
   */
  async reconcile(
    trx: Trx,
    snap: Snapshot,
    now: Date,
    trigger: string,
    current?: forecasts.ControlRow,
  ): Promise<void> {
    const control = current ?? (await this.#control(trx, snap.id, now));
    const phase = snap.lifecycle.phase;
    const stored = await forecasts.limitsOf(
      trx,
      snap.id,
      ['CONSUMPTION', 'FALLBACK_CONSUMPTION'],
      now,
    );
    const primary = stored.filter((b) => b.type === 'CONSUMPTION');
    const fallback = stored.filter((b) => b.type === 'FALLBACK_CONSUMPTION');
    const safeDefault = snap.profile.safeDefaultCapacity;
    const active = snap.enabled && control.disconnectedAt === null;
    const primaryNow = blockCovering(primary, now);
    const fallbackNow = blockCovering(fallback, now);
    // Control begins with the first block in force, not with the first forecast received: a
    // day-ahead forecast says nothing about today, and must not put the scope on its gap policy
    // until it starts (ADR 0012: no gap policy before the grid operator has said anything).
    const began =
      active && (control.forecastReceived || primaryNow !== undefined || fallbackNow !== undefined);
    const decision = decideMode({
      active,
      online: phase === 'ONLINE' || phase === 'HANDSHAKEN',
      forecastReceived: began,
      primaryNow,
      fallbackNow,
      gapPolicy: snap.profile.gapPolicy,
      safeDefault: { value: safeDefault.value, unit: safeDefault.unit },
    });
    const desired = desiredEnvelope(decision, primary, fallback, now, snap.displayName);
    const print = fingerprint(decision.mode, desired);
    // Fallback coverage ahead is kept on the scope as a STANDBY envelope: the depot's envelope
    // view shows it next to the primary forecast, and it is never enforced (the LIMIT one is).
    const standbyBlocks = active ? fallback : [];
    const standbyPrint = JSON.stringify(
      standbyBlocks.map((b) => [
        b.start.toISOString(),
        b.end.toISOString(),
        b.limit.value,
        b.limit.unit,
      ]),
    );

    const submit: EnvelopeSubmission[] = [];
    const withdraw: string[] = [];
    const limitChanges = print !== control.envelopeFingerprint;
    const standbyChanges = standbyPrint !== control.standbyFingerprint;
    if (limitChanges) {
      if (control.envelopeId) withdraw.push(control.envelopeId);
      if (desired)
        submit.push(
          oscpSubmission(snap, {
            role: 'LIMIT',
            source: desired.source,
            mode: decision.mode,
            ...(isFallbackMode(decision.mode) ? { fallbackReason: decision.reason } : {}),
            blocks: desired.blocks,
          }),
        );
    }
    if (standbyChanges) {
      if (control.standbyEnvelopeId) withdraw.push(control.standbyEnvelopeId);
      if (standbyBlocks.length > 0)
        submit.push(
          oscpSubmission(snap, {
            role: 'STANDBY',
            source: `OSCP fallback coverage (${snap.displayName})`,
            mode: 'STANDBY',
            blocks: standbyBlocks,
          }),
        );
    }
    // One change: the circuit is refreshed once and steps from the old limit to the new one,
    // never through its static capacity (which capacity history would record).
    const { submitted } =
      submit.length + withdraw.length > 0
        ? await this.envelopes.changeWithin(trx, { submit, withdraw, by: 'oscp' }, now)
        : { submitted: [] };
    const newId = (role: 'LIMIT' | 'STANDBY') => submitted.find((e) => e.role === role)?.id ?? null;
    const next: forecasts.ControlRow = {
      ...control,
      envelopeId: limitChanges ? newId('LIMIT') : control.envelopeId,
      envelopeFingerprint: print,
      standbyEnvelopeId: standbyChanges ? newId('STANDBY') : control.standbyEnvelopeId,
      standbyFingerprint: standbyPrint,
      forecastReceived: began,
    };
    if (decision.mode !== control.mode) {
      await this.#modeChanged(trx, snap, control, decision, next, now, trigger);
    } else {
      next.reason = decision.reason;
    }
    await forecasts.saveControl(trx, next, now);
    const due = nextBoundary([...primary, ...fallback], desired, now);
    // Also while LOCAL before the first block: its start is when control begins.
    if (due && active)
      await scheduleWork(trx, { kind: CONTROL_WORK, key: snap.id, dueAt: due }, now);
    else await cancelWork(trx, CONTROL_WORK, snap.id);
  }

  async #modeChanged(
    trx: Trx,
    snap: Snapshot,
    before: forecasts.ControlRow,
    decision: ModeDecision,
    next: forecasts.ControlRow,
    now: Date,
    trigger: string,
  ): Promise<void> {
    const from = before.mode as OperatingMode;
    const to = decision.mode;
    const context = {
      connectionId: snap.id,
      connectionName: snap.displayName,
      groupId: snap.groupId,
      scopeId: snap.scopeId,
      microgridId: snap.microgridId,
    };
    next.mode = to;
    next.reason = decision.reason;
    next.modeSince = now;
    await this.#audit(
      trx,
      snap.id,
      'OscpModeChanged',
      {
        from,
        to,
        reason: decision.reason,
        trigger,
        envelopeId: next.envelopeId,
        limit: decision.limit,
      },
      now,
    );
    if (to === 'GAP_POLICY') {
      await this.#audit(
        trx,
        snap.id,
        'OscpGapPolicyApplied',
        {
          policy: snap.profile.gapPolicy,
          limit: decision.limit,
          reason: decision.reason,
          scopeId: snap.scopeId,
        },
        now,
      );
    }
    if (isFallbackMode(to) && !isFallbackMode(from)) {
      await this.#audit(
        trx,
        snap.id,
        'OscpFallbackEntered',
        { mode: to, reason: decision.reason, limit: decision.limit, scopeId: snap.scopeId },
        now,
      );
      await this.notifications.raise(
        trx,
        {
          kind: 'FALLBACK_ENTERED',
          severity: 'WARNING',
          title: `Fallback mode: ${snap.displayName}`,
          message: decision.reason,
          context: { ...context, mode: to },
        },
        now,
      );
      next.incidentId = await this.notifications.openIncident(
        trx,
        {
          kind: 'OSCP_FALLBACK',
          title: `Fallback mode on ${snap.displayName} (group ${snap.groupId})`,
          context: { ...context, mode: to, reason: decision.reason },
        },
        now,
      );
    } else if (isFallbackMode(from) && !isFallbackMode(to)) {
      await this.#audit(
        trx,
        snap.id,
        'OscpFallbackExited',
        {
          mode: to,
          reason: decision.reason,
          since: before.modeSince.toISOString(),
          scopeId: snap.scopeId,
        },
        now,
      );
      if (before.incidentId)
        await this.notifications.resolveIncident(
          trx,
          before.incidentId,
          `Recovered: ${decision.reason}`,
          now,
        );
      await this.notifications.raise(
        trx,
        {
          kind: 'FALLBACK_EXITED',
          severity: 'INFO',
          title: `Fallback mode ended: ${snap.displayName}`,
          message: decision.reason,
          context: { ...context, mode: to },
        },
        now,
      );
      next.incidentId = null;
    }
  }

  /** Due work at a block boundary. */
  async reevaluate(trx: Trx, work: DueWork, now: Date): Promise<void> {
    const snap = await projection.findConnection(trx, work.key, true);
    if (snap) await this.reconcile(trx, snap, now, 'block boundary');
  }

  /**
   * OSCP control ends (disable or intentional disconnect): every OSCP envelope of the scope is
   * withdrawn at once, fallback exits, and the scope is back under local control.
   */
  async end(
    trx: Trx,
    snap: Snapshot,
    now: Date,
    how: 'DISABLED' | 'DISCONNECTED',
    by: string,
  ): Promise<void> {
    const control = await this.#control(trx, snap.id, now);
    const withdrawn = control.envelopeId;
    const ended: forecasts.ControlRow = {
      ...control,
      disconnectedAt: how === 'DISCONNECTED' ? now : control.disconnectedAt,
      forecastReceived: false,
    };
    await this.reconcile(
      trx,
      { ...snap, enabled: false },
      now,
      how === 'DISCONNECTED' ? 'intentional disconnect' : 'connection disabled',
      ended,
    );
    await this.#audit(
      trx,
      snap.id,
      'OscpControlHandedOver',
      {
        how,
        by,
        scopeId: snap.scopeId,
        groupId: snap.groupId,
        withdrawnEnvelopeId: withdrawn,
        message: `OSCP control ended at ${now.toISOString()}; local control resumed.`,
      },
      now,
    );
  }

  /** Enabling again starts anew: the disconnect mark and the old forecasts go. */
  async restart(trx: Trx, connectionId: string, now: Date): Promise<void> {
    const control = await this.#control(trx, connectionId, now);
    await forecasts.saveControl(
      trx,
      { ...control, disconnectedAt: null, forecastReceived: false },
      now,
    );
    await trx
      .deleteFrom('oscp_forecast_blocks')
      .where('connection_id', '=', connectionId)
      .execute();
  }

  async view(connectionId: string) {
    const control = await forecasts.findControl(this.db, connectionId);
    const now = this.clock.now();
    const [primary, fallback, optimum, generation] = await Promise.all(
      [
        ['CONSUMPTION'],
        ['FALLBACK_CONSUMPTION', 'FALLBACK_GENERATION'],
        ['OPTIMUM'],
        ['GENERATION'],
      ].map((types) =>
        forecasts.blocksOf(this.db, connectionId, types, new Date(now.getTime() - DAY_MS)),
      ),
    );
    const toView = (b: forecasts.ForecastBlockRow) => ({
      type: b.type,
      start: b.start.toISOString(),
      end: b.end.toISOString(),
      limit: b.limit,
      wire: b.wire,
      requestId: b.requestId,
    });
    return {
      mode: control?.mode ?? 'LOCAL',
      fallback: isFallbackMode((control?.mode ?? 'LOCAL') as OperatingMode),
      reason: control?.reason ?? 'no capacity forecast received yet',
      modeSince: control?.modeSince.toISOString() ?? null,
      envelopeId: control?.envelopeId ?? null,
      disconnectedAt: control?.disconnectedAt?.toISOString() ?? null,
      lastForecast: control?.lastForecast ?? null,
      incidentId: control?.incidentId ?? null,
      blocks: {
        primary: primary!.map(toView),
        fallback: fallback!.map(toView),
        optimum: optimum!.map(toView),
        generation: generation!.map(toView),
      },
    };
  }
}
