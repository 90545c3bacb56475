import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { Metrics } from './metrics';
import type { HttpApp } from './server';

export function registerHealthRoutes(app: HttpApp, db: Db, metrics: Metrics): void {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await sql`SELECT 1`.execute(db);
      return { status: 'ready', database: 'ok' };
    } catch (error) {
      return reply.code(503).send({
        status: 'not ready',
        database: error instanceof Error ? error.message : 'unavailable',
      });
    }
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
