/** Event stream names of the OSCP context. */

/** The OscpConnection aggregate: configuration and lifecycle, appended under the row lock. */
export const connectionStream = (id: string) => `oscp-connection-${id}`;

/**
 * Audit records about a connection that are not decisions of the aggregate (refused calls,
 * received forecasts). A stream of its own, so recording them never races the aggregate's version;
 * its name starts with the aggregate's, so one prefix read gives a connection's whole timeline.
 */
export const connectionAuditStream = (id: string) => `oscp-connection-${id}-audit`;

/** Refused calls we could not attribute to any connection. */
export const unattributedRefusalStream = 'oscp-inbound-refusals';
