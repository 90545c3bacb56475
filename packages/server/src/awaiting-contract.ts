import type { ControlService } from './oscp/app/control';

/**
 * Types of the answers of the routes that do not declare a response schema yet (the list in
 * platform/http/route-contract.test.ts). The console reads them from here; each goes when its
 * route declares a response schema in its context's contract.
 */
export type { OutboundView, OutboundStatus } from './platform/outbox/outbox';
export type { IncidentRow, NotificationRow } from './notifications/store/notification-store';
export type ControlAnswer = Awaited<ReturnType<ControlService['view']>>;
