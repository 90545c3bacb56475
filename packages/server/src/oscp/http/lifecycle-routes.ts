import { z } from 'zod';
import type { Clock } from '../../platform/clock';
import { ANY_USER, MANAGERS } from '../../platform/auth/roles';
import type { HttpApp } from '../../platform/http/server';
import type { ConnectionService } from '../app/connections';
import type { ControlService } from '../app/control';
import type { LifecycleService } from '../app/lifecycle';
import type { PeerCredentialService } from '../app/peer-credentials';
import * as c from '../contract';
import * as lc from '../lifecycle-contract';
import type { ConnectionTimelineEventType } from '../domain/events';
import { OSCP_FP_PREFIX } from './protocol-routes';

export interface LifecycleRouteDeps {
  clock: Clock;
  connections: ConnectionService;
  lifecycle: LifecycleService;
  credentials: PeerCredentialService;
  control: ControlService;
  publicUrl: () => string;
}

const idParams = z.object({ id: z.uuid('must be a UUID') });
const tags = ['oscp-connections'];
const page = {
  limit: z.coerce.number().int().min(1).max(200).default(25),
  offset: z.coerce.number().int().min(0).default(0),
};

/** Lifecycle actions and records of a connection: retry, credentials for the peer, publications, timeline. */
export function registerLifecycleRoutes(app: HttpApp, deps: LifecycleRouteDeps): void {
  const { connections, lifecycle, credentials } = deps;

  app.get(
    '/api/oscp-info',
    {
      config: { allow: ANY_USER },
      schema: {
        tags,
        summary: 'What to give a Capacity Provider: our OSCP base URL and token endpoint',
        response: { 200: lc.oscpInfo },
      },
    },
    async () => ({
      baseUrl: `${deps.publicUrl()}${OSCP_FP_PREFIX}`,
      tokenUrl: `${deps.publicUrl()}/oauth2/token`,
      versions: ['2.0'],
    }),
  );

  app.post(
    '/api/oscp-connections/:id/retry-registration',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary: 'Retry a failed registration',
        params: idParams,
        response: { 200: c.connectionDetail },
      },
    },
    async (request) => {
      await lifecycle.retryRegistration(request.params.id, request.principal!.username);
      return connections.detail(request.params.id);
    },
  );

  app.post(
    '/api/oscp-connections/:id/re-register',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary:
          'Register afresh (a peer that forgot us), keeping the operating mode until the new handshake completes',
        params: idParams,
        body: c.reregisterBody,
        response: { 200: c.reregistered },
      },
    },
    async (request) => {
      const { initialToken } = await lifecycle.reregister(
        request.params.id,
        request.principal!.username,
        request.body.credential,
      );
      return { connection: await connections.detail(request.params.id), initialToken };
    },
  );

  app.post(
    '/api/oscp-connections/:id/retry-handshake',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary: 'Send our handshake again (where we start it), after one failed to be delivered',
        params: idParams,
        response: { 200: c.connectionDetail },
      },
    },
    async (request) => {
      await lifecycle.retryHandshake(request.params.id, request.principal!.username);
      return connections.detail(request.params.id);
    },
  );

  app.get(
    '/api/oscp-connections/:id/control',
    {
      config: { allow: ANY_USER },
      schema: {
        tags,
        summary:
          'Operating mode (normal, fallback, gap policy, local), last forecast intake and stored forecast blocks',
        params: idParams,
        response: { 200: lc.controlView },
      },
    },
    async (request) => {
      await connections.requireExisting(request.params.id);
      return deps.control.view(request.params.id);
    },
  );

  app.post(
    '/api/oscp-connections/:id/disconnect',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary:
          'Disconnect on purpose: withdraw every OSCP constraint now and return the scope to local control',
        params: idParams,
        response: { 200: c.connectionDetail },
      },
    },
    async (request) => {
      await connections.disconnect(
        request.params.id,
        request.principal!.username,
        deps.clock.now(),
      );
      return connections.detail(request.params.id);
    },
  );

  app.post(
    '/api/oscp-connections/:id/initial-token',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary: 'Issue a one-time initial token so the peer can register first (shown once)',
        params: idParams,
        response: { 201: lc.issuedInitialToken },
      },
    },
    async (request, reply) =>
      reply.code(201).send({ token: await credentials.issueInitialToken(request.params.id) }),
  );

  app.post(
    '/api/oscp-connections/:id/oauth-client',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary: 'Issue OAuth2 client credentials for the peer (secret shown once)',
        params: idParams,
        response: { 201: lc.issuedOAuthClient },
      },
    },
    async (request, reply) => {
      const issued = await credentials.issueOAuthClient(request.params.id);
      return reply.code(201).send({ ...issued, tokenUrl: `${deps.publicUrl()}/oauth2/token` });
    },
  );

  app.get(
    '/api/oscp-connections/:id/publications',
    {
      config: { allow: ANY_USER },
      schema: {
        tags,
        summary: 'Outbound OSCP messages of a connection with their bodies, newest first',
        params: idParams,
        querystring: c.publicationQuery,
        response: { 200: c.publicationList },
      },
    },
    async (request) => {
      const { status, kind, limit, offset } = request.query;
      return connections.publications(request.params.id, {
        limit,
        offset,
        ...(status ? { status } : {}),
        ...(kind ? { kind } : {}),
      });
    },
  );

  app.get(
    '/api/oscp-connections/:id/timeline',
    {
      config: { allow: ANY_USER },
      schema: {
        tags,
        summary:
          'Audit timeline of a connection (configuration, lifecycle, deliveries, refusals), newest first',
        params: idParams,
        querystring: z.object({ kind: z.string().max(1000).optional(), ...page }),
        response: { 200: lc.timelinePage },
      },
    },
    async (request) => {
      const { kind, limit, offset } = request.query;
      return connections.timeline(request.params.id, {
        limit,
        offset,
        // Unknown names simply match nothing.
        ...(kind ? { types: kind.split(',') as ConnectionTimelineEventType[] } : {}),
      });
    },
  );
}
