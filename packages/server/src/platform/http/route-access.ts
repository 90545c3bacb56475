import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal, Role } from '../auth/roles';
import { problems } from './problem';

/** Each route states who may call it in its config; a route without a statement is refused at start-up. */
export type Access = readonly Role[] | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    allow?: Access;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export function requireUser(request: FastifyRequest): Principal {
  if (!request.principal) throw problems.unauthenticated();
  return request.principal;
}

export async function enforceAccess(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  const allow = request.routeOptions.config.allow;
  if (allow === undefined || allow === 'public') return;
  const principal = requireUser(request);
  if (!allow.includes(principal.role)) {
    throw problems.forbidden(
      `This action needs one of the roles ${allow.join(', ')}; you are ${principal.role}.`,
    );
  }
}
