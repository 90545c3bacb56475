import { newOpaqueToken } from '../../platform/auth/secrets';
import type { Executor, Trx } from '../../platform/db/database';
import { appendToStream } from '../../platform/events/event-store';
import { cancelUnsent, enqueueOutbound } from '../../platform/outbox/outbox';
import { cancelWork, scheduleWork } from '../../platform/scheduler/scheduler';
import type { Logger } from '../../platform/logging';
import type { SecretStore } from '../../platform/secrets/secret-store';
import type { EnvelopeSubmission } from '../../microgrid/app/envelopes';
import type { NotificationService } from '../../notifications/app/notifications';
import type { ConnectionAuditEvent } from '../domain/audit-events';
import type { ControlEffect, EnvelopeRequest } from '../domain/control';
import type { LifecycleEffect, LifecycleWork } from '../domain/effects';
import { peerTokenSecret, tokenForPeerSecret } from '../domain/secret-names';
import * as credentials from '../store/peer-credentials';
import * as forecasts from '../store/forecast-store';
import * as problems from '../store/problems';
import * as projection from '../store/connection-projection';
import { problemHint, type ProblemKind, type ProblemReport } from '../domain/connection-problem';
import type { EnvelopePort } from './envelope-port';
import { startMeasurements, stopMeasurements } from './measurements';
import { auditStreamRef } from './stream-names';

/** The scheduler's names for the lifecycle's due work (stored in rows: never rename). */
export const LIFECYCLE_WORK: Record<LifecycleWork, string> = {
  heartbeat: 'oscp-heartbeat',
  'liveness-check': 'oscp-offline-check',
  'registration-timeout': 'oscp-registration-timeout',
  'handshake-acknowledgement': 'oscp-handshake-acknowledgement',
};

export const CONTROL_WORK = 'oscp-control-reevaluate';

export interface EffectPorts {
  secrets: SecretStore;
  envelopes: EnvelopePort;
  notifications: NotificationService;
  /** Attempts for an outbound message that does not say otherwise. */
  maxDeliveryAttempts: number;
  /** Problems opening and clearing are log lines too, so log-based alerting works. */
  log: Logger;
}

/** Records a problem of a connection; a newly opened one is a warning in the log. */
export async function reportProblem(
  trx: Executor,
  connectionId: string,
  problem: ProblemReport,
  log: Logger,
): Promise<void> {
  if (await problems.openProblem(trx, connectionId, { ...problem, hint: problemHint(problem) })) {
    log.warn(
      {
        'oscp.connection_id': connectionId,
        'oscp.problem.kind': problem.kind,
        'oscp.problem.subject': problem.subject,
        'http.response.status_code': problem.status,
        'url.full': problem.url,
      },
      `OSCP problem opened: ${problem.message}`,
    );
  }
}

/** Clears a connection's open problem of a kind and subject; an info line when there was one. */
export async function resolveProblem(
  trx: Executor,
  connectionId: string,
  cleared: { kind: ProblemKind; subject: string; at: string },
  log: Logger,
): Promise<void> {
  const problem = await problems.clearProblem(
    trx,
    connectionId,
    cleared.kind,
    cleared.subject,
    cleared.at,
  );
  if (problem) {
    log.info(
      {
        'oscp.connection_id': connectionId,
        'oscp.problem.kind': problem.kind,
        'oscp.problem.subject': problem.subject,
        'oscp.problem.count': problem.count,
        'oscp.problem.first_seen': problem.firstSeen,
      },
      'OSCP problem cleared',
    );
  }
}

/** Audit records of a connection: appended under its row lock, so never racing each other. */
export async function appendAudit(
  trx: Trx,
  connectionId: string,
  events: readonly ConnectionAuditEvent[],
  now: Date,
): Promise<void> {
  if (events.length > 0)
    await appendToStream(trx, auditStreamRef(connectionId), 'any', events, now);
}

/** Carries out a lifecycle decision's effects in order, in the decision's transaction. */
export async function carryOutLifecycle(
  trx: Trx,
  connection: projection.ConnectionRow,
  effects: readonly LifecycleEffect[],
  now: Date,
  ports: EffectPorts,
): Promise<void> {
  const id = connection.id;
  for (const effect of effects) {
    switch (effect.type) {
      case 'Send':
        await enqueueOutbound(
          trx,
          {
            connectionId: id,
            kind: effect.message.kind,
            body: effect.message.body,
            ...(effect.message.requestId ? { requestId: effect.message.requestId } : {}),
            correlationId: effect.message.correlationId ?? null,
            ...(effect.message.dedupeKey ? { dedupeKey: effect.message.dedupeKey } : {}),
            maxAttempts: effect.message.maxAttempts ?? ports.maxDeliveryAttempts,
          },
          now,
        );
        break;
      case 'IssueTokenForPeer': {
        const token = newOpaqueToken('ovp_');
        await credentials.issueCredential(
          trx,
          { connectionId: id, kind: 'TOKEN', secret: token },
          now,
        );
        await ports.secrets.put(trx, tokenForPeerSecret(id), token, 'oscp-lifecycle', now);
        break;
      }
      case 'StorePeerToken':
        await ports.secrets.put(trx, peerTokenSecret(id), effect.token, 'oscp-peer', now);
        break;
      case 'IssueInitialToken':
        await credentials.revokeCredentials(trx, id, ['INITIAL_TOKEN'], now);
        await credentials.issueCredential(
          trx,
          { connectionId: id, kind: 'INITIAL_TOKEN', secret: effect.token },
          now,
        );
        break;
      case 'ForgetPeerToken':
        await ports.secrets.remove(trx, peerTokenSecret(id));
        break;
      case 'RevokeCredentials':
        await credentials.revokeCredentials(trx, id, effect.kinds, now);
        break;
      case 'Schedule':
        await scheduleWork(
          trx,
          {
            kind: LIFECYCLE_WORK[effect.work],
            key: id,
            dueAt: effect.dueAt,
            ...(effect.payload ? { payload: effect.payload } : {}),
          },
          now,
        );
        break;
      case 'Cancel':
        await cancelWork(trx, LIFECYCLE_WORK[effect.work], id);
        break;
      case 'CancelUnsent':
        await cancelUnsent(trx, id, effect.reason, now);
        break;
      case 'StartMeasurements':
        await startMeasurements(trx, connection, now);
        break;
      case 'StopMeasurements':
        await stopMeasurements(trx, id);
        break;
      case 'RecordHeartbeat':
        await projection.saveHeartbeat(trx, id, {
          receivedAt: effect.receivedAt,
          offlineModeAt: effect.offlineModeAt,
        });
        break;
      case 'OpenProblem':
        await reportProblem(trx, id, effect.problem, ports.log);
        break;
      case 'ClearProblem':
        await resolveProblem(trx, id, effect, ports.log);
        break;
      case 'Audit':
        await appendAudit(trx, id, [effect.event], now);
        break;
    }
  }
}

/** An envelope of OSCP's for the microgrid: its origin names the connection and the mode behind it. */
function envelopeSubmission(
  connection: projection.ConnectionRow,
  request: EnvelopeRequest,
): EnvelopeSubmission {
  return {
    id: request.id,
    scopeId: connection.scopeId,
    role: request.role,
    source: request.source,
    origin: {
      kind: 'ADAPTER',
      adapter: 'oscp',
      reference: { connectionId: connection.id, groupId: connection.groupId, mode: request.mode },
      ...(request.fallbackReason ? { fallbackReason: request.fallbackReason } : {}),
    },
    blocks: request.blocks.map((b) => ({
      start: b.start.toISOString(),
      end: b.end.toISOString(),
      importLimit: b.limit,
    })),
  };
}

/** Carries out a control decision's effects in order, in the decision's transaction. */
export async function carryOutControl(
  trx: Trx,
  connection: projection.ConnectionRow,
  effects: readonly ControlEffect[],
  now: Date,
  ports: EffectPorts,
): Promise<void> {
  const id = connection.id;
  for (const effect of effects) {
    switch (effect.type) {
      case 'ReplaceForecastBlocks':
        await forecasts.replaceForecastBlocks(trx, id, effect, now);
        break;
      case 'DeleteForecastBlocks':
        await forecasts.deleteForecastBlocks(trx, id);
        break;
      case 'ChangeEnvelopes':
        await ports.envelopes.changeWithin(
          trx,
          {
            submit: effect.submit.map((r) => envelopeSubmission(connection, r)),
            withdraw: effect.withdraw,
            by: 'oscp',
          },
          now,
        );
        break;
      case 'RaiseNotification':
        await ports.notifications.raise(trx, effect.notification, now);
        break;
      case 'OpenIncident':
        await ports.notifications.openIncident(trx, effect.incident, now);
        break;
      case 'UpdateIncident':
        await ports.notifications.updateIncident(trx, effect.id, effect.change);
        break;
      case 'ResolveIncident':
        await ports.notifications.resolveIncident(trx, effect.id, effect.resolution, now);
        break;
      case 'ScheduleReevaluation':
        await scheduleWork(trx, { kind: CONTROL_WORK, key: id, dueAt: effect.dueAt }, now);
        break;
      case 'CancelReevaluation':
        await cancelWork(trx, CONTROL_WORK, id);
        break;
    }
  }
}
