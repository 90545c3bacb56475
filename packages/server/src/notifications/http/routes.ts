import { z } from 'zod';
import type { Clock } from '../../platform/clock';
import { ANY_USER, OPERATORS } from '../../platform/auth/roles';
import { requireUser } from '../../platform/http/route-access';
import type { HttpApp } from '../../platform/http/server';
import { noContent } from '../../platform/http/wire';
import type { NotificationQueries } from '../app/notifications';
import { incidentPage, notificationPage } from '../contract';

const tags = ['notifications'];
const page = {
  limit: z.coerce.number().int().min(1).max(200).default(25),
  offset: z.coerce.number().int().min(0).default(0),
};

export function registerNotificationRoutes(
  app: HttpApp,
  deps: { queries: NotificationQueries; clock: Clock },
): void {
  app.get(
    '/api/notifications',
    {
      config: { allow: ANY_USER },
      schema: {
        tags,
        summary: 'Notifications, newest first',
        querystring: z.object({
          unacknowledged: z.enum(['true', 'false']).default('false'),
          ...page,
        }),
        response: { 200: notificationPage },
      },
    },
    async (request) =>
      deps.queries.notifications({
        unacknowledgedOnly: request.query.unacknowledged === 'true',
        limit: request.query.limit,
        offset: request.query.offset,
      }),
  );
  app.post(
    '/api/notifications/:id/acknowledge',
    {
      config: { allow: OPERATORS },
      schema: {
        tags,
        summary: 'Acknowledge a notification',
        params: z.object({ id: z.uuid() }),
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await deps.queries.acknowledge(
        request.params.id,
        requireUser(request).username,
        deps.clock.now(),
      );
      return reply.code(204).send();
    },
  );
  app.get(
    '/api/incidents',
    {
      config: { allow: ANY_USER },
      schema: {
        tags,
        summary: 'Incidents, newest first',
        querystring: z.object({ status: z.enum(['OPEN', 'RESOLVED']).optional(), ...page }),
        response: { 200: incidentPage },
      },
    },
    async (request) =>
      deps.queries.incidents({
        ...(request.query.status ? { status: request.query.status } : {}),
        limit: request.query.limit,
        offset: request.query.offset,
      }),
  );
}
