import type { ConnectionAuditEvent } from './audit-events';
import type { ProblemKind, ProblemReport } from './connection-problem';
import type { PeerCredentialKind } from './credentials';

/**
 * What a decision asks the world to do, as data. Deciders return effects next to their events; the
 * app carries them out, in order, in the transaction that appends the events, so a decision and
 * everything it causes commit together or not at all.
 */

/** Durable due work of the OSCP lifecycle, one row per connection and kind. */
export type LifecycleWork =
  'heartbeat' | 'liveness-check' | 'registration-timeout' | 'handshake-acknowledgement';

/** An outbound OSCP message, written to the outbox before any network I/O. */
export interface OutboundSpec {
  kind: string;
  body: Record<string, unknown>;
  requestId?: string;
  correlationId?: string | null;
  /** A periodic publication's identity: written once however often it is decided. */
  dedupeKey?: string;
  /** Default: the configured number of attempts. */
  maxAttempts?: number;
}

export type LifecycleEffect =
  | { type: 'Send'; message: OutboundSpec }
  /** A fresh token for the peer, stored as a secret the Register body refers to by name. */
  | { type: 'IssueTokenForPeer' }
  /** The token the peer gave us in its Register: we call it with this from now on. */
  | { type: 'StorePeerToken'; token: string }
  | { type: 'ForgetPeerToken' }
  /** A one-time token for the peer to register first with (earlier ones stop working). */
  | { type: 'IssueInitialToken'; token: string }
  | { type: 'RevokeCredentials'; kinds: readonly PeerCredentialKind[] }
  | { type: 'Schedule'; work: LifecycleWork; dueAt: Date; payload?: Record<string, unknown> }
  | { type: 'Cancel'; work: LifecycleWork }
  /** Messages still waiting to be sent are not sent (the connection stops). */
  | { type: 'CancelUnsent'; reason: string }
  | { type: 'StartMeasurements' }
  | { type: 'StopMeasurements' }
  /** A heartbeat is not an event: the read model's snapshot keeps its instants. */
  | { type: 'RecordHeartbeat'; receivedAt: Date; offlineModeAt: Date }
  | { type: 'OpenProblem'; problem: ProblemReport }
  /** A success of this kind (and subject: the message kind delivered) clears its problem. */
  | { type: 'ClearProblem'; kind: ProblemKind; subject: string; at: string }
  | { type: 'Audit'; event: ConnectionAuditEvent };
