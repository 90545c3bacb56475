import { createHash, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/database';
import type { Logger } from '../logging';
import type { Metrics } from './metrics';
import { ProblemError } from './problem';
import type { HttpApp } from './server';

const liveness = z.object({ status: z.literal('ok') });
const readiness = z.object({
  status: z.enum(['ready', 'not ready']),
  /** `ok`, or `unreachable`: the reason is logged, never shown (it names the database's address). */
  database: z.enum(['ok', 'unreachable']),
});

export interface HealthOptions {
  /** When set, `/metrics` answers only `Authorization: Bearer <this token>`. */
  metricsToken?: string | undefined;
  log: Logger;
}

/** Compares digests, so neither the content nor the length of the token leaks through timing. */
function sameToken(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

export function registerHealthRoutes(
  app: HttpApp,
  db: Db,
  metrics: Metrics,
  options: HealthOptions,
): void {
  app.get('/healthz', { schema: { hide: true, response: { 200: liveness } } }, async () => ({
    status: 'ok' as const,
  }));
  // Probes ask every few seconds: the log says when the answer changes, not every time.
  let lastReady: boolean | undefined;
  app.get(
    '/readyz',
    { schema: { hide: true, response: { 200: readiness, 503: readiness } } },
    async (_request, reply) => {
      try {
        await sql`SELECT 1`.execute(db);
        if (lastReady === false) options.log.info('database reachable again');
        lastReady = true;
        return { status: 'ready' as const, database: 'ok' as const };
      } catch (error) {
        if (lastReady !== false) options.log.warn({ err: error }, 'database unreachable');
        lastReady = false;
        return reply.code(503).send({ status: 'not ready', database: 'unreachable' });
      }
    },
  );
  // Prometheus text exposition: sent as text, so the schema only documents it.
  app.get(
    '/metrics',
    { schema: { hide: true, response: { 200: z.string() } } },
    async (request, reply) => {
      const token = options.metricsToken;
      if (token) {
        const presented = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
        if (!presented || !sameToken(presented.trim(), token)) {
          reply.header('www-authenticate', 'Bearer');
          throw new ProblemError(
            401,
            'unauthenticated',
            'Authentication required',
            'Send the metrics token: Authorization: Bearer <METRICS_TOKEN>.',
          );
        }
      }
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    },
  );
}
