import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/database';
import type { Metrics } from './metrics';
import type { HttpApp } from './server';

const liveness = z.object({ status: z.literal('ok') });
const readiness = z.object({
  status: z.enum(['ready', 'not ready']),
  /** `ok`, or why the database did not answer. */
  database: z.string(),
});

export function registerHealthRoutes(app: HttpApp, db: Db, metrics: Metrics): void {
  app.get('/healthz', { schema: { hide: true, response: { 200: liveness } } }, async () => ({
    status: 'ok' as const,
  }));
  app.get(
    '/readyz',
    { schema: { hide: true, response: { 200: readiness, 503: readiness } } },
    async (_request, reply) => {
      try {
        await sql`SELECT 1`.execute(db);
        return { status: 'ready' as const, database: 'ok' };
      } catch (error) {
        return reply.code(503).send({
          status: 'not ready',
          database: error instanceof Error ? error.message : 'unavailable',
        });
      }
    },
  );
  // Prometheus text exposition: sent as text, so the schema only documents it.
  app.get(
    '/metrics',
    { schema: { hide: true, response: { 200: z.string() } } },
    async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
}
