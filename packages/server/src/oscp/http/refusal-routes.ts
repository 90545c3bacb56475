import { ANY_USER } from '../../platform/auth/roles';
import type { HttpApp } from '../../platform/http/server';
import type { RefusalQueries } from '../app/refusals';
import * as c from '../contract';

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
        querystring: c.refusalQuery,
        response: {
          200: c.refusalList,
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
