import { randomUUID } from 'node:crypto';
import type { Db, Executor, Trx } from '../../platform/db/database';
import { appendToStream, readBySubject, readStream } from '../../platform/events/event-store';
import { listOutbound, type OutboundStatus } from '../../platform/outbox/outbox';
import { appErrors, type AppError } from '../../platform/errors';
import type { SecretStore } from '../../platform/secrets/secret-store';
import type {
  CreateConnectionBody,
  EditConnectionBody,
  HistoryEntry,
  ConnectionDetail,
  ConnectionName,
  ConnectionSummary,
} from '../contract';
import {
  decide,
  evolve,
  initialConnection,
  type Connection,
  type ConnectionCommand,
  type ConnectionEvent,
  type Rejection,
} from '../domain/connection';
import { NO_FORECAST_YET } from '../domain/control';
import {
  CONFIGURATION_EVENT_TYPES,
  type ConnectionTimelineEvent,
  type ConnectionTimelineEventType,
} from '../domain/events';
import {
  applyPatch,
  PRESET_DEFAULTS,
  type ConnectionProfile,
  type FieldChange,
} from '../domain/connection-profile';
import {
  evolveLifecycle,
  handshakeRetryRefusal,
  initialLifecycle,
  type Lifecycle,
} from '../domain/lifecycle';
import { isFallbackMode } from '../domain/operating-mode';
import * as activity from '../store/activity';
import * as forecasts from '../store/forecast-store';
import * as projection from '../store/connection-projection';
import * as credentials from '../store/peer-credentials';
import * as problems from '../store/problems';
import { latestError, type ConnectionProblem } from '../domain/connection-problem';
import type { Clock } from '../../platform/clock';
import { freshControlIds, type ConnectionHandler } from './connection-handler';
import type { LifecycleService } from './lifecycle';
import { connectionStream } from './stream-names';
import type { ScopeBinding, ScopeDirectory } from './scope-directory';

/** Why a scope cannot be controlled over OSCP: its limit applies to exactly one circuit. */
export function scopeMappingProblem(
  binding: Pick<ScopeBinding, 'circuitCount'>,
): string | undefined {
  if (binding.circuitCount === 0)
    return 'maps to no circuit, so a forecast would constrain nothing';
  if (binding.circuitCount > 1)
    return `maps to ${binding.circuitCount} circuits; an OSCP connection needs a scope on exactly one circuit`;
  return undefined;
}

/** A full profile from a create request: the preset's defaults, then what the user chose. */
export function profileFromCreate(body: CreateConnectionBody): ConnectionProfile {
  const defaults = PRESET_DEFAULTS[body.preset === 'CUSTOM' ? 'OSCP_STANDARD' : body.preset];
  const { enabled: _enabled, ...chosen } = body;
  const blank = {
    ...defaults,
    displayName: '',
    groupId: '',
    microgridId: '',
    scopeId: '',
    peerBaseUrl: '',
  };
  return applyPatch(blank, chosen);
}

function lifecycleView(l: Lifecycle, profile: ConnectionProfile): ConnectionSummary['lifecycle'] {
  return {
    phase: l.phase,
    registration: {
      mode: l.registration.mode,
      selectedVersion: l.registration.selectedVersion,
      registeredAt: l.registration.registeredAt,
      peerBaseUrl: l.registration.peerBaseUrl,
      failure: l.registration.failure,
    },
    handshake: {
      completedAt: l.handshake.completedAt,
      awaitingAcknowledgement: l.handshake.sentRequestId !== null,
      required: l.handshake.required,
      peerRequires: l.handshake.peerRequires,
      weRequire: l.handshake.weRequire,
    },
    heartbeat: l.heartbeat,
    livenessTracked: profile.interoperability.expectPeerHeartbeats,
    reregistration: l.reregistration,
  };
}

function controlSummary(control: forecasts.ControlRow | undefined): ConnectionSummary['control'] {
  const mode = control?.mode ?? 'LOCAL';
  const last = control?.lastForecast;
  return {
    mode,
    fallback: isFallbackMode(mode),
    reason: control?.reason ?? NO_FORECAST_YET,
    lastForecast: last
      ? { outcome: last.outcome, at: last.at, type: last.type, reason: last.reason ?? null }
      : null,
  };
}

function rejectionProblem(rejection: Rejection, id: string): AppError {
  switch (rejection.kind) {
    case 'invalid':
      return appErrors.invalid(
        rejection.problems.map((p) => `${p.field}: ${p.message}`).join('; '),
        rejection.problems,
      );
    case 'not-found':
      return appErrors.notFound('OSCP connection', id);
    case 'already-exists':
      return appErrors.conflict(`OSCP connection ${id} already exists.`);
    case 'conflict':
      return appErrors.conflict(rejection.message);
  }
}

function isUniqueViolation(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505'
  );
}

function bindingConflict(holder: projection.ConnectionRow, what: 'group' | 'scope'): AppError {
  const detail =
    what === 'group'
      ? `Group id ${holder.groupId} is already bound by the enabled connection "${holder.displayName}" (${holder.id}).`
      : `This managed scope is already bound by the enabled connection "${holder.displayName}" (${holder.id}).`;
  return appErrors.conflict(detail, {
    field: what === 'group' ? 'groupId' : 'scopeId',
    holder: { id: holder.id, displayName: holder.displayName, groupId: holder.groupId },
  });
}

/**
 * Command handlers of the OscpConnection aggregate: load the stream, decide, append the events and
 * update the read model in ONE transaction.
 */
/**
 * What OSCP tells the depot model about a managed scope: an enabled connection bound to it must be
 * disabled or disconnected before the scope is deleted or re-mapped, or the grid operator's limit
 * would silently stop applying.
 */
export async function enabledConnectionOnScope(
  db: Executor,
  scopeId: string,
): Promise<string | undefined> {
  const holder = await projection.enabledHolder(db, { scopeId });
  return holder && `the enabled OSCP connection "${holder.displayName}" (group ${holder.groupId})`;
}

export class ConnectionService {
  constructor(
    private readonly db: Db,
    private readonly scopes: ScopeDirectory,
    private readonly secrets: SecretStore,
    private readonly lifecycle: LifecycleService,
    private readonly handler: ConnectionHandler,
    private readonly clock: Clock,
  ) {}

  /**
   * The configuration as of the stream's latest configuration event, at the stream's version
   * (which the locked read model holds): lifecycle events on the stream are not read.
   */
  async #load(trx: Trx, id: string): Promise<Connection> {
    const events = await readStream<ConnectionEvent>(
      trx,
      connectionStream(id),
      1,
      CONFIGURATION_EVENT_TYPES,
    );
    const state = events.reduce(
      (s, e) => evolve({ ...s, version: e.version - 1 }, e),
      initialConnection(id),
    );
    const row = await projection.findConnection(trx, id);
    return { ...state, version: row?.version ?? state.version };
  }

  /** Why OSCP could not control the profile's scope, or undefined when it can. */
  async #scopeProblem(profile: ConnectionProfile): Promise<string | undefined> {
    const binding = await this.scopes.find(profile.microgridId, profile.scopeId);
    if (!binding) return 'is not a managed scope of the chosen microgrid';
    return scopeMappingProblem(binding);
  }

  async #checkScope(profile: ConnectionProfile): Promise<void> {
    const problem = await this.#scopeProblem(profile);
    if (problem)
      throw appErrors.invalid(`scopeId: ${problem}`, [{ field: 'scopeId', message: problem }]);
  }

  async #execute(
    id: string,
    command: ConnectionCommand,
    now: Date,
    expectedVersion?: number,
  ): Promise<Connection> {
    let attempted: ConnectionProfile | null = null;
    try {
      return await this.db.transaction().execute(async (trx) => {
        await projection.lockConnection(trx, id);
        const state = await this.#load(trx, id);
        // Lifecycle events (registration, heartbeats going offline…) do not count: an editor
        // conflicts only with another configuration change.
        if (
          expectedVersion !== undefined &&
          state.exists &&
          expectedVersion !== state.configurationVersion
        ) {
          throw appErrors.conflict(
            `The connection's configuration changed since you loaded it (version ${state.configurationVersion}, you had ${expectedVersion}). Reload and try again.`,
            { currentVersion: state.configurationVersion },
          );
        }
        const decision = decide(command, state, now);
        if (!decision.ok) throw rejectionProblem(decision.rejection, id);
        if (decision.events.length === 0) return state;
        const next = decision.events.reduce(evolve, state);
        attempted = next.profile;
        if (next.enabled && next.profile) {
          const holder = await this.#bindingHolder(trx, next.profile, id);
          if (holder) throw holder;
        }
        await appendToStream(trx, connectionStream(id), state.version, decision.events, now);
        const before = (await projection.findConnection(trx, id))?.lifecycle ?? initialLifecycle;
        const lifecycle = decision.events.reduce((l, e) => evolveLifecycle(l, e), before);
        await projection.projectConnection(trx, next, lifecycle, now);
        await this.#lifecycleEffects(trx, id, decision.events, now);
        return next;
      });
    } catch (error) {
      // Two concurrent requests can both pass the check above; the partial unique indexes let only
      // one commit. The loser learns who holds the binding.
      if (isUniqueViolation(error)) {
        const holder = attempted ? await this.#bindingHolder(this.db, attempted, id) : undefined;
        throw (
          holder ??
          appErrors.conflict(
            'Another request changed the same binding at the same time. Reload and try again.',
          )
        );
      }
      throw error;
    }
  }

  /**
   * Enabling starts the OSCP lifecycle (in this same transaction); disabling or disconnecting stops
   * it and hands the scope back to local control at once.
   */
  async #lifecycleEffects(
    trx: Trx,
    id: string,
    events: readonly ConnectionEvent[],
    now: Date,
  ): Promise<void> {
    const last = [...events]
      .reverse()
      .find((e) => e.type === 'OscpConnectionEnabled' || e.type === 'OscpConnectionDisabled');
    if (!last) return;
    const connection = (await this.handler.load(trx, id))!;
    if (last.type === 'OscpConnectionDisabled') {
      await this.lifecycle.stop(trx, id, now);
      await this.handler.control(
        trx,
        connection,
        {
          type: 'End',
          how: last.data.intentionalDisconnect ? 'DISCONNECTED' : 'DISABLED',
          by: last.data.by,
          ids: freshControlIds(),
        },
        now,
      );
      return;
    }
    await this.handler.control(trx, connection, { type: 'Restart' }, now);
    await this.lifecycle.start(trx, connection, now);
  }

  async #bindingHolder(
    db: Db | Trx,
    profile: ConnectionProfile,
    id: string,
  ): Promise<AppError | undefined> {
    const byGroup = await projection.enabledHolder(db, { groupId: profile.groupId }, id);
    if (byGroup) return bindingConflict(byGroup, 'group');
    const byScope = await projection.enabledHolder(db, { scopeId: profile.scopeId }, id);
    return byScope ? bindingConflict(byScope, 'scope') : undefined;
  }

  async create(body: CreateConnectionBody, by: string, now: Date): Promise<string> {
    const profile = profileFromCreate(body);
    await this.#checkScope(profile);
    const id = randomUUID();
    await this.#execute(id, { type: 'Configure', profile, enable: body.enabled, by }, now);
    return id;
  }

  async edit(id: string, body: EditConnectionBody, by: string, now: Date): Promise<void> {
    const { expectedVersion, ...patch } = body;
    const current = await projection.findConnection(this.db, id);
    if (!current) throw appErrors.notFound('OSCP connection', id);
    if (patch.microgridId !== undefined || patch.scopeId !== undefined) {
      await this.#checkScope(applyPatch(current.profile, patch));
    }
    await this.#execute(id, { type: 'Edit', patch, by }, now, expectedVersion);
  }

  async enable(id: string, by: string, now: Date): Promise<Connection> {
    const current = await projection.findConnection(this.db, id);
    // The scope may have been re-mapped while the connection was disabled.
    const problem = current && (await this.#scopeProblem(current.profile));
    if (problem)
      throw appErrors.conflict(
        `The bound managed scope ${problem}; fix it in the depot model first.`,
        {
          field: 'scopeId',
        },
      );
    return this.#execute(id, { type: 'Enable', by }, now);
  }

  disable(id: string, by: string, now: Date): Promise<Connection> {
    return this.#execute(id, { type: 'Disable', by }, now);
  }

  disconnect(id: string, by: string, now: Date): Promise<Connection> {
    return this.#execute(id, { type: 'Disconnect', by }, now);
  }

  /** Removes a disabled connection from use; its events and audit stay readable. */
  async delete(id: string, by: string, now: Date): Promise<void> {
    await this.#execute(id, { type: 'Delete', by }, now);
  }

  /**
   * Every connection with its binding, activity and control: one read per kind of fact for the
   * whole list (never one per connection), so the console's polling costs the same number of
   * statements for 10 connections as for 10,000. Paged, it reads only the page's connections.
   */
  async list(
    query: projection.ConnectionListQuery = {},
  ): Promise<{ connections: ConnectionSummary[]; total: number }> {
    const { rows, total } = await projection.listConnections(this.db, query);
    const ids = rows.map((r) => r.id);
    const [open, bindings, lastOutbound, lastHeartbeat, controls] = await Promise.all([
      problems.problemsOf(this.db, ids),
      this.scopes.findMany(rows.map((r) => r.scopeId)),
      activity.lastOutboundOf(this.db, ids),
      activity.lastOutboundOf(this.db, ids, 'Heartbeat'),
      forecasts.findControls(this.db, ids),
    ]);
    const connections = rows.map((r) => {
      const binding = bindings.get(r.scopeId);
      return this.#summary(r, {
        known: open.get(r.id) ?? [],
        binding: binding?.microgridId === r.microgridId ? binding : undefined,
        lastOutbound: lastOutbound.get(r.id) ?? null,
        lastHeartbeatSent: lastHeartbeat.get(r.id) ?? null,
        control: controls.get(r.id),
      });
    });
    return { connections, total };
  }

  /** Every connection's name and group id, deleted ones too: for pickers and labels. */
  async names(): Promise<ConnectionName[]> {
    const rows = await projection.listConnectionNames(this.db);
    return rows.map((r) => ({
      id: r.id,
      displayName: r.displayName,
      groupId: r.groupId,
      deletedAt: r.deletedAt?.toISOString() ?? null,
    }));
  }

  /** The facts of one connection that a summary shows, read the same way as for a list. */
  async #factsOf(row: projection.ConnectionRow, known: readonly ConnectionProblem[]) {
    const [binding, lastOutbound, lastHeartbeat, control] = await Promise.all([
      this.scopes.find(row.microgridId, row.scopeId),
      activity.lastOutboundOf(this.db, [row.id]),
      activity.lastOutboundOf(this.db, [row.id], 'Heartbeat'),
      forecasts.findControl(this.db, row.id),
    ]);
    return {
      known,
      binding,
      lastOutbound: lastOutbound.get(row.id) ?? null,
      lastHeartbeatSent: lastHeartbeat.get(row.id) ?? null,
      control,
    };
  }

  #summary(row: projection.ConnectionRow, facts: SummaryFacts): ConnectionSummary {
    const { known, binding } = facts;
    return {
      id: row.id,
      displayName: row.displayName,
      preset: row.profile.preset,
      groupId: row.groupId,
      state: row.state,
      enabled: row.enabled,
      binding: {
        groupId: row.groupId,
        microgrid: binding ? { id: binding.microgridId, name: binding.microgridName } : null,
        scope: binding ? { id: binding.scopeId, name: binding.scopeName } : null,
        circuit: binding?.circuit ?? null,
      },
      measurementPublicationMode: row.profile.measurementPublicationMode,
      authMode: row.profile.authMode,
      latestError: latestError(known),
      openProblems: known.filter((p) => p.clearedAt === null),
      lastOutbound: facts.lastOutbound,
      lastHeartbeatSent: facts.lastHeartbeatSent,
      lifecycle: lifecycleView(row.lifecycle, row.profile),
      control: controlSummary(facts.control),
      version: row.version,
      configurationVersion: row.configurationVersion,
      updatedAt: row.updatedAt.toISOString(),
      deletedAt: row.deletedAt?.toISOString() ?? null,
    };
  }

  async detail(id: string): Promise<ConnectionDetail> {
    const row = await projection.findConnection(this.db, id);
    if (!row) throw appErrors.notFound('OSCP connection', id);
    const refs = row.profile.authReferences;
    const names = Object.values(refs).filter((n): n is string => n !== null);
    const present = await this.secrets.which(this.db, names);
    const known = await problems.listProblems(this.db, id);
    return {
      ...this.#summary(row, await this.#factsOf(row, known)),
      problems: known,
      profile: row.profile as unknown as Record<string, unknown>,
      secrets: Object.fromEntries(
        Object.entries(refs).map(([key, name]) => [
          key,
          { name, set: name !== null && present.has(name) },
        ]),
      ),
      protocolActivity: await activity.messageCounts(this.db, id),
      issuedCredentials: await credentials.liveKinds(this.db, id, this.clock.now()),
      handshakeRetryRefusal:
        handshakeRetryRefusal(row, await activity.pendingHandshake(this.db, id)) ?? null,
      createdAt: row.createdAt.toISOString(),
    };
  }

  /** The configuration history: who changed what, when, from what to what. Newest first. */
  async history(id: string): Promise<HistoryEntry[]> {
    const events = await readStream(this.db, connectionStream(id), 1, CONFIGURATION_EVENT_TYPES);
    if (events.length === 0) throw appErrors.notFound('OSCP connection', id);
    return events
      .map((e) => {
        const data = e.data as {
          by?: string;
          changes?: FieldChange[];
          profile?: ConnectionProfile;
          intentionalDisconnect?: boolean;
        };
        const summaries: Record<string, string> = {
          OscpConnectionConfigured: 'Connection configured',
          OscpConnectionEdited: `Edited ${data.changes?.length ?? 0} field(s)`,
          OscpConnectionEnabled: 'Enabled',
          OscpConnectionDeleted: 'Deleted (its record stays)',
          OscpConnectionDisabled: data.intentionalDisconnect
            ? 'Disconnected on purpose: local control resumed'
            : 'Disabled',
        };
        return {
          version: e.version,
          type: e.type,
          at: e.recordedAt.toISOString(),
          by: data.by ?? 'system',
          summary: summaries[e.type] ?? e.type,
          changes: data.changes ?? [],
        };
      })
      .reverse();
  }

  /** The connection's timeline (its stream and its audit records), newest first. */
  async timeline(
    id: string,
    page: { limit: number; offset: number; types?: readonly ConnectionTimelineEventType[] },
  ): Promise<{ total: number; items: TimelineItem[] }> {
    const { events, total } = await readBySubject<ConnectionTimelineEvent>(
      this.db,
      connectionStream(id),
      page,
    );
    if (total === 0 && !page.types) throw appErrors.notFound('OSCP connection', id);
    return {
      total,
      items: events.map(
        (e) =>
          ({
            position: e.globalPosition,
            type: e.type,
            at: e.recordedAt.toISOString(),
            data: e.data,
          }) as TimelineItem,
      ),
    };
  }

  /** Outbound messages of the connection, newest first. */
  async publications(
    id: string,
    filter: { status?: OutboundStatus; kind?: string; limit: number; offset: number },
  ) {
    await this.requireExisting(id);
    return listOutbound(this.db, { connectionId: id, ...filter });
  }

  /** A 404 for a connection that never existed: one read, for routes that show something else of it. */
  async requireExisting(id: string): Promise<void> {
    if (!(await projection.findConnection(this.db, id)))
      throw appErrors.notFound('OSCP connection', id);
  }
}

/** What a summary shows besides the connection's own row. */
interface SummaryFacts {
  known: readonly ConnectionProblem[];
  binding: ScopeBinding | undefined;
  lastOutbound: activity.OutboundSummaryRow | null;
  lastHeartbeatSent: activity.OutboundSummaryRow | null;
  control: forecasts.ControlRow | undefined;
}

/** One entry of a connection's timeline: an event of its stream or its audit stream. */
export type TimelineItem = { position: number; at: string } & ConnectionTimelineEvent;
