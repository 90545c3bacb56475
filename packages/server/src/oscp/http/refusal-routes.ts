import { z } from 'zod';
import { ANY_USER } from '../../platform/auth/roles';
import type { HttpApp } from '../../platform/http/server';
import type { RefusalQueries } from '../app/refusals';

export const refusalView = z.object({
  id: z.number(),
  firstAt: z.string(),
  lastAt: z.string(),
  /** Alike refusals (same source, endpoint, status, reason and connection) within a minute fold into one row. */
  repeats: z.number(),
  source: z.string(),
  endpoint: z.string(),
  status: z.number(),
  reason: z.string(),
  connectionId: z.string().nullable(),
  credential: z.string().nullable(),
  requestId: z.string().nullable(),
  authorizationScheme: z.string().nullable(),
});

const query = z.object({
  connectionId: z.uuid('must be a UUID').optional(),
  source: z.string().min(1).max(100).optional(),
  /** The id of the last row of the previous page. */
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** The refusal log: every refused inbound OSCP call, including those no connection was named for. */
export function registerRefusalRoutes(app: HttpApp, deps: { refusals: RefusalQueries }): void {
  app.get(
    '/api/oscp-refusals',
    {
      config: { allow: ANY_USER },
      schema: {
        tags: ['oscp-connections'],
        summary:
          'Refused inbound OSCP calls, newest first (of one connection or source when asked), paged by id',
        querystring: query,
        response: {
          200: z.object({ items: z.array(refusalView), nextBefore: z.number().nullable() }),
        },
      },
    },
    async (request) => {
      const { connectionId, source, before, limit } = request.query;
      const items = await deps.refusals.list({
        limit,
        ...(connectionId ? { connectionId } : {}),
        ...(source ? { source } : {}),
        ...(before !== undefined ? { beforeId: before } : {}),
      });
      return { items, nextBefore: items.length === limit ? items.at(-1)!.id : null };
    },
  );
}
