import { z } from 'zod';

/** Answers of the notification and incident routes. */

export const notificationView = z.object({
  id: z.string(),
  kind: z.string(),
  severity: z.enum(['INFO', 'WARNING', 'ALARM']),
  title: z.string(),
  message: z.string(),
  /** What it concerns, e.g. the connection and scope, for links. */
  context: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
});
export type NotificationView = z.infer<typeof notificationView>;

export const incidentView = z.object({
  id: z.string(),
  kind: z.string(),
  status: z.enum(['OPEN', 'RESOLVED']),
  title: z.string(),
  /** What it concerns, and for a fallback incident its current mode and history. */
  context: z.record(z.string(), z.unknown()),
  openedAt: z.string(),
  resolvedAt: z.string().nullable(),
  resolution: z.string().nullable(),
});
export type IncidentView = z.infer<typeof incidentView>;

export const notificationPage = z.object({
  items: z.array(notificationView),
  total: z.number(),
  /** Unacknowledged notifications in all, whatever the page. */
  unacknowledged: z.number(),
});
export const incidentPage = z.object({ items: z.array(incidentView), total: z.number() });
