import type { Clock } from '../../../platform/clock';
import type { Db, Trx } from '../../../platform/db/database';
import { appendToStream } from '../../../platform/events/event-store';
import type { Logger } from '../../../platform/logging';
import { OSCP_STATUS_OF, refuse, type Refusal } from '../../domain/refusal';
import { claimInboundRequest, releaseInboundRequest } from '../../store/inbound-requests';
import type { ConnectionHandler, ConnectionRow } from '../connection-handler';
import { appendAudit } from '../effects';
import { unattributedRefusalStream } from '../stream-names';
import type { PeerPrincipal } from './authenticate';

/** What the http edge knows about a call, for the audit of a refusal. */
export interface CallFacts {
  endpoint: string;
  requestId: string | null;
  remoteAddress: string;
  /** The scheme word of the Authorization header only, never the credential. */
  authorizationScheme: string | null;
}

/** An authenticated, parsed OSCP message handed over by the http edge. */
export interface InboundCall extends CallFacts {
  principal: PeerPrincipal;
  requestId: string;
  correlationId: string | undefined;
}

/** What the peer is answered: 204, or the status and message of a refusal. */
export type InboundAnswer =
  | { status: 204; duplicate: boolean }
  | { status: 400 | 401 | 403 | 404 | 409 | 501; message: string };

export interface InboundDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  handler: ConnectionHandler;
}

/** Decides one message for a connection held locked; returns the refusal, if any. */
export type InboundDecision = (
  trx: Trx,
  connection: ConnectionRow,
  now: Date,
) => Promise<Refusal | undefined>;

function answer(refusal: Refusal): InboundAnswer {
  const status = OSCP_STATUS_OF[refusal.code];
  return { status: status as Exclude<InboundAnswer['status'], 204>, message: refusal.message };
}

async function auditRefusal(
  deps: InboundDeps,
  trx: Trx,
  connectionId: string | null,
  call: CallFacts,
  refusal: Refusal,
  extra: { clientId?: string | null } = {},
): Promise<InboundAnswer> {
  const now = deps.clock.now();
  const refused = answer(refusal);
  const status = refused.status as number;
  const event = {
    type: 'OscpInboundRefused' as const,
    data: {
      connectionId,
      endpoint: call.endpoint,
      status,
      reason: refusal.message,
      requestId: call.requestId,
      remoteAddress: call.remoteAddress,
      authorizationScheme: call.authorizationScheme,
      ...extra,
      at: now.toISOString(),
    },
  };
  if (connectionId) await appendAudit(trx, connectionId, [event], now);
  else await appendToStream(trx, unattributedRefusalStream, 'any', [event], now);
  deps.log.info(
    {
      'oscp.endpoint': call.endpoint,
      'oscp.connection_id': connectionId,
      'oscp.request_id': call.requestId,
      'http.response.status_code': status,
      'oscp.reason': refusal.message,
    },
    'OSCP call refused',
  );
  return refused;
}

/**
 * Records a refusal decided before the message reached a use case (no X-Request-ID, a malformed
 * body, a credential that names no connection). With a connection it is written under that
 * connection's lock, so refusals never race its other records.
 */
export async function recordRefusal(
  deps: InboundDeps,
  connectionId: string | null,
  call: CallFacts,
  refusal: Refusal,
  extra: { clientId?: string | null } = {},
): Promise<InboundAnswer> {
  return deps.db.transaction().execute(async (trx) => {
    if (connectionId) await deps.handler.load(trx, connectionId);
    return auditRefusal(deps, trx, connectionId, call, refusal, extra);
  });
}

/**
 * The transaction of one inbound message: claim its X-Request-ID first (a repeat is answered 204
 * and changes nothing), lock the connection, decide and write. A refusal gives the claim back (a
 * repeat is judged again), is audited once, and commits with whatever the decision recorded.
 */
export async function receiveWithin(
  deps: InboundDeps,
  call: InboundCall,
  decide: InboundDecision,
): Promise<InboundAnswer> {
  const connectionId = call.principal.connectionId;
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const claim = { connectionId, requestId: call.requestId, endpoint: call.endpoint };
    if (!(await claimInboundRequest(trx, claim, now))) return { status: 204, duplicate: true };
    const connection = await deps.handler.load(trx, connectionId);
    const refusal = !connection?.enabled
      ? refuse('forbidden', 'This connection is disabled.')
      : await decide(trx, connection, now);
    if (!refusal) return { status: 204, duplicate: false };
    await releaseInboundRequest(trx, claim);
    return auditRefusal(deps, trx, connectionId, call, refusal);
  });
}
