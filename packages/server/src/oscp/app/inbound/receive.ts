import { parseMessage, type MessageKind, type MessageBody } from '@openvelope/oscp';
import type { Clock } from '../../../platform/clock';
import type { Db, Executor, Trx } from '../../../platform/db/database';
import { transactionWithRetry } from '../../../platform/db/retry';
import type { Logger } from '../../../platform/logging';
import { toleratedBody } from '../../domain/interoperability';
import { OSCP_STATUS_OF, refuse, type Refusal } from '../../domain/refusal';
import { claimAndLockConnection, releaseInboundRequest } from '../../store/inbound-requests';
import * as refusals from '../../store/refusals';
import type { ConnectionHandler, ConnectionRow } from '../connection-handler';
import { reportProblem, resolveProblem } from '../effects';
import type { PeerPrincipal } from './authenticate';

/** What the http edge knows about a call, for the audit of a refusal. */
export interface CallFacts {
  endpoint: string;
  requestId: string | null;
  remoteAddress: string;
  /** The scheme word of the Authorization header only, never the credential. */
  authorizationScheme: string | null;
  /** What the credential was matched to (a credential kind, a user), once known. */
  credential?: string | null;
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

/** Decides one parsed message for a connection held locked; returns the refusal, if any. */
export type InboundDecision<K extends MessageKind> = (
  trx: Trx,
  connection: ConnectionRow,
  message: MessageBody<K>,
  now: Date,
) => Promise<Refusal | undefined>;

function answer(refusal: Refusal): InboundAnswer {
  const status = OSCP_STATUS_OF[refusal.code];
  return { status: status as Exclude<InboundAnswer['status'], 204>, message: refusal.message };
}

async function auditRefusal(
  deps: InboundDeps,
  db: Executor,
  connectionId: string | null,
  call: CallFacts,
  refusal: Refusal,
): Promise<InboundAnswer> {
  const now = deps.clock.now();
  const refused = answer(refusal);
  const status = refused.status as number;
  await refusals.recordRefusal(db, {
    at: now,
    source: call.remoteAddress,
    endpoint: call.endpoint,
    status,
    reason: refusal.message,
    connectionId,
    credential: call.credential ?? null,
    requestId: call.requestId,
    authorizationScheme: call.authorizationScheme,
  });
  // A refused message from a known peer is a problem of its connection until one is accepted.
  if (connectionId)
    await reportProblem(
      db,
      connectionId,
      {
        kind: 'INBOUND',
        subject: call.endpoint,
        at: now.toISOString(),
        attempted: `${call.endpoint} from the Capacity Provider`,
        url: null,
        status: String(status),
        message: refusal.message,
      },
      deps.log,
    );
  deps.log.info(
    {
      'oscp.endpoint': call.endpoint,
      'oscp.connection_id': connectionId,
      'oscp.request_id': call.requestId,
      'client.address': call.remoteAddress,
      'http.response.status_code': status,
      'oscp.reason': refusal.message,
    },
    'OSCP call refused',
  );
  return refused;
}

/**
 * Records a refusal decided before the message reached a use case (no X-Request-ID, a malformed
 * body, a credential that names no connection).
 */
export function recordRefusal(
  deps: InboundDeps,
  connectionId: string | null,
  call: CallFacts,
  refusal: Refusal,
): Promise<InboundAnswer> {
  return transactionWithRetry(deps.db, async (trx) => {
    const connection = connectionId ? await deps.handler.load(trx, connectionId) : undefined;
    // A Register we could not even read still tells a registration waiting for one why none came.
    if (connection && call.endpoint === 'register')
      await deps.handler.lifecycle(
        trx,
        connection,
        { type: 'NoteRefusedRegister', requestId: call.requestId, reason: refusal.message },
        deps.clock.now(),
      );
    return auditRefusal(deps, trx, connectionId, call, refusal);
  });
}

/**
 * The message checked against OSCP's schema, after what the connection's interoperability
 * settings tolerate, then decided. A Register we could not read still tells a registration
 * waiting for one why none came.
 */
async function parsedAndDecided<K extends MessageKind>(
  deps: InboundDeps,
  trx: Trx,
  connection: ConnectionRow,
  call: InboundCall,
  kind: K,
  body: unknown,
  decide: InboundDecision<K>,
  now: Date,
): Promise<Refusal | undefined> {
  const parsed = parseMessage(kind, toleratedBody(kind, body, connection.profile), { now });
  if (parsed.ok) return decide(trx, connection, parsed.value, now);
  if (kind === 'Register')
    await deps.handler.lifecycle(
      trx,
      connection,
      { type: 'NoteRefusedRegister', requestId: call.requestId, reason: parsed.message },
      now,
    );
  return refuse('invalid', parsed.message);
}

/**
 * The transaction of one inbound message: claim its X-Request-ID first (a repeat is answered 204
 * and changes nothing), lock the connection, decide and write. A refusal gives the claim back (a
 * repeat is judged again), is audited once, and commits with whatever the decision recorded.
 */
export async function receiveWithin<K extends MessageKind>(
  deps: InboundDeps,
  call: InboundCall,
  kind: K,
  body: unknown,
  decide: InboundDecision<K>,
): Promise<InboundAnswer> {
  const connectionId = call.principal.connectionId;
  const now = deps.clock.now();
  // A message waits for its connection behind others; should PostgreSQL break a cycle of waits by
  // aborting this one, it is simply judged again (ADR 0033).
  return transactionWithRetry(deps.db, async (trx) => {
    const claim = { connectionId, requestId: call.requestId, endpoint: call.endpoint };
    const { claimed, connection } = await claimAndLockConnection(trx, claim, now);
    if (!claimed) return { status: 204, duplicate: true };
    const refusal = !connection?.enabled
      ? refuse('forbidden', 'This connection is disabled.')
      : await parsedAndDecided(deps, trx, connection, call, kind, body, decide, now);
    if (!refusal) {
      await resolveProblem(
        trx,
        connectionId,
        { kind: 'INBOUND', subject: call.endpoint, at: now.toISOString() },
        deps.log,
      );
      return { status: 204, duplicate: false };
    }
    await releaseInboundRequest(trx, claim);
    return auditRefusal(deps, trx, connectionId, call, refusal);
  });
}
