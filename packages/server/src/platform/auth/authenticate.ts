import type { FastifyRequest } from 'fastify';
import type { Clock } from '../clock';
import type { Db } from '../db/database';
import type { HttpApp } from '../http/server';
import { principalForApiToken, principalForSession } from './store';

export const SESSION_COOKIE = 'ov_session';

/** Resolves who is calling from the Bearer token or the session cookie; access rules come later. */
export function registerAuthentication(app: HttpApp, db: Db, clock: Clock): void {
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const authorization = request.headers.authorization;
    if (authorization?.startsWith('Bearer ') && request.url.startsWith('/api/')) {
      request.principal = await principalForApiToken(
        db,
        authorization.slice(7).trim(),
        clock.now(),
      );
      return;
    }
    const cookie = request.cookies[SESSION_COOKIE];
    if (cookie) request.principal = await principalForSession(db, cookie, clock.now());
  });
}
