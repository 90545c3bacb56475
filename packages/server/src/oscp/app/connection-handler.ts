import { randomUUID } from 'node:crypto';
import type { Trx } from '../../platform/db/database';
import { appendToStream } from '../../platform/events/event-store';
import {
  blocksNeeded,
  decideControl,
  initialControl,
  type ControlCommand,
  type ControlDecision,
  type ControlIds,
} from '../domain/control';
import {
  decideBreachReport,
  type BreachEpisode,
  type BreachReportDecision,
} from '../domain/breach-compliance';
import { evolveLifecycle, linkHealthy, readyForBusiness } from '../domain/lifecycle';
import {
  lifecycleDecider,
  type LifecycleCommand,
  type LifecycleDecision,
  type LifecycleSettings,
} from '../domain/lifecycle-decider';
import * as breachReports from '../store/breach-reports';
import * as forecasts from '../store/forecast-store';
import * as projection from '../store/connection-projection';
import { appendAudit, carryOutControl, carryOutLifecycle, type EffectPorts } from './effects';
import { connectionStream } from './stream-names';

export type ConnectionRow = projection.ConnectionRow;

/** Fresh ids for whatever a control decision may create (unused ones cost nothing). */
export const freshControlIds = (): ControlIds => ({
  limitEnvelope: randomUUID(),
  standbyEnvelope: randomUUID(),
  incident: randomUUID(),
});

/**
 * The one way OSCP decisions are carried out. For the lifecycle: load the connection under its
 * row lock (so decisions about one connection are serialised across requests, due work and
 * instances), run the pure decider, append its events to the aggregate stream and advance the
 * read model's snapshot, carry out its effects, and when the phase changed let control decide the
 * operating mode again. For control: load its record and the forecast blocks it needs, decide,
 * append the audit events, carry out the effects and save the record. All in the caller's
 * transaction, so a decision and everything it causes commit together.
 */
export class ConnectionHandler {
  constructor(
    private readonly ports: EffectPorts,
    private readonly settings: () => LifecycleSettings,
  ) {}

  /** The connection, locked until the transaction ends. */
  load(trx: Trx, connectionId: string): Promise<ConnectionRow | undefined> {
    return projection.findConnection(trx, connectionId, true);
  }

  /** Runs a lifecycle command on a connection the caller loaded with `load`. */
  async lifecycle(
    trx: Trx,
    connection: ConnectionRow,
    command: LifecycleCommand,
    now: Date,
  ): Promise<{ decision: LifecycleDecision; connection: ConnectionRow }> {
    const decision = lifecycleDecider(this.settings()).decide(connection, command, now);
    return { decision, connection: await this.apply(trx, connection, decision, now) };
  }

  /**
   * Runs a lifecycle command on a connection read without its lock: only for decisions that
   * append nothing (a heartbeat to send), so the peer's inbound calls never wait for them.
   */
  async lifecycleUnlocked(trx: Trx, connectionId: string, command: LifecycleCommand, now: Date) {
    const connection = await projection.findConnection(trx, connectionId);
    if (!connection) return;
    const decision = lifecycleDecider(this.settings()).decide(connection, command, now);
    if (decision.events.length > 0)
      throw new Error(`${command.type} decided events without holding the connection's lock`);
    await carryOutLifecycle(trx, connection, decision.effects, now, this.ports);
  }

  async apply(
    trx: Trx,
    connection: ConnectionRow,
    decision: LifecycleDecision,
    now: Date,
  ): Promise<ConnectionRow> {
    let current = connection;
    if (decision.events.length > 0) {
      await appendToStream(
        trx,
        connectionStream(connection.id),
        connection.version,
        decision.events,
        now,
      );
      const lifecycle = decision.events.reduce(evolveLifecycle, connection.lifecycle);
      const version = connection.version + decision.events.length;
      await projection.saveLifecycle(trx, connection.id, { lifecycle, version }, now);
      current = { ...connection, lifecycle, version, state: lifecycle.phase };
    }
    await carryOutLifecycle(trx, current, decision.effects, now, this.ports);
    if (current.lifecycle.phase !== connection.lifecycle.phase) {
      await this.control(
        trx,
        current,
        {
          type: 'Reconcile',
          trigger: `connection ${current.lifecycle.phase}`,
          ids: freshControlIds(),
        },
        now,
      );
    }
    return current;
  }

  /** Runs a control command for a connection the caller holds locked. */
  async control(
    trx: Trx,
    connection: ConnectionRow,
    command: ControlCommand,
    now: Date,
  ): Promise<ControlDecision> {
    const control = (await forecasts.findControl(trx, connection.id)) ?? {
      connectionId: connection.id,
      ...initialControl(now),
    };
    const needed = blocksNeeded(command, now);
    const blocks = await forecasts.forecastBlocksFrom(
      trx,
      connection.id,
      needed.types,
      needed.from,
    );
    const decision = decideControl(
      {
        connection: {
          id: connection.id,
          displayName: connection.displayName,
          groupId: connection.groupId,
          microgridId: connection.microgridId,
          scopeId: connection.scopeId,
          enabled: connection.enabled,
          linkHealthy: linkHealthy(connection.lifecycle),
          profile: connection.profile,
        },
        control,
        blocks,
      },
      command,
      now,
    );
    await appendAudit(trx, connection.id, decision.events, now);
    await carryOutControl(trx, connection, decision.effects, now, this.ports);
    await forecasts.saveControl(trx, { connectionId: connection.id, ...decision.state }, now);
    return decision;
  }

  /**
   * Decides what to tell the peer about a breach episode (ADR 0050) for a connection the caller
   * holds locked: the compliance error in the outbox, its audit record and the episode's report
   * record commit together.
   */
  async breachReport(
    trx: Trx,
    connection: ConnectionRow,
    episode: BreachEpisode,
    requestId: string,
    now: Date,
  ): Promise<BreachReportDecision> {
    const decision = decideBreachReport(
      {
        connection: {
          id: connection.id,
          groupId: connection.groupId,
          scopeId: connection.scopeId,
          enabled: connection.enabled,
          readyForBusiness: readyForBusiness(connection.lifecycle),
        },
        episode,
        report: await breachReports.findReport(trx, connection.id, episode.id),
        blocks: await forecasts.forecastBlocksFrom(
          trx,
          connection.id,
          ['CONSUMPTION', 'FALLBACK_CONSUMPTION'],
          episode.startedAt,
        ),
      },
      requestId,
      now,
    );
    await carryOutLifecycle(
      trx,
      connection,
      decision.sends.map((message) => ({ type: 'Send' as const, message })),
      now,
      this.ports,
    );
    await appendAudit(trx, connection.id, decision.events, now);
    if (decision.report) await breachReports.saveReport(trx, decision.report);
    return decision;
  }
}
