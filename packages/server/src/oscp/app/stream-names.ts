import type { StreamRef } from '../../platform/events/event-store';

/** Event stream names of the OSCP context. */

/**
 * The OscpConnection aggregate: configuration and lifecycle, appended under the row lock. Its id
 * is also the subject of every stream about the connection, so one indexed read gives a
 * connection's whole timeline.
 */
export const connectionStream = (id: string) => `oscp-connection-${id}`;

/**
 * Audit records about a connection that are not decisions of the aggregate (delivery attempts,
 * forecast intake, operating mode, operator messages). A stream of its own, so
 * recording them never moves the aggregate's version; appended under the connection's row lock.
 */
export const connectionAuditStream = (id: string) => `oscp-connection-${id}-audit`;

export const auditStreamRef = (id: string): StreamRef => ({
  id: connectionAuditStream(id),
  subject: connectionStream(id),
});
