import { z } from 'zod';
import type { Clock } from '../../platform/clock';
import { ANY_USER, MANAGERS } from '../../platform/auth/roles';
import { requireUser } from '../../platform/http/route-access';
import type { HttpApp } from '../../platform/http/server';
import { noContent } from '../../platform/http/wire';
import type { ConnectionService } from '../app/connections';
import type { SecretAdmin } from '../app/secret-admin';
import * as c from '../contract';
import * as lc from '../lifecycle-contract';
import { PRESET_CATALOGUE } from '../domain/presets';

export interface ConnectionRouteDeps {
  clock: Clock;
  connections: ConnectionService;
  secrets: SecretAdmin;
}

const idParams = z.object({ id: z.uuid('must be a UUID') });
const tags = ['oscp-connections'];

/**
 * Management of OSCP connections. Deliberately not under /api/oscp/: the protocol has one home,
 * /oscp/fp/2.0/, and nothing else may look like an alias of it.
 */
export function registerConnectionRoutes(app: HttpApp, deps: ConnectionRouteDeps): void {
  const { clock, connections, secrets } = deps;

  app.get(
    '/api/oscp-presets',
    {
      config: { allow: ANY_USER },
      schema: {
        tags,
        summary: 'Connection profile presets',
        response: { 200: z.object({ presets: z.array(c.presetView) }) },
      },
    },
    async () => ({
      presets: PRESET_CATALOGUE.map((p) => ({
        ...p,
        defaults: p.defaults as Record<string, unknown>,
      })),
    }),
  );
  app.get(
    '/api/oscp-connections',
    {
      config: { allow: ANY_USER },
      schema: {
        tags,
        summary:
          'OSCP connections by name: one page with ?limit= and ?offset=, a search with ?q=, deleted ones too with ?include=deleted',
        querystring: c.connectionListQuery,
        response: { 200: c.connectionList },
      },
    },
    async (request) => {
      const { include, q, limit, offset } = request.query;
      return connections.list({
        includeDeleted: include === 'deleted',
        ...(q ? { search: q } : {}),
        ...(limit !== undefined ? { page: { limit, offset } } : {}),
      });
    },
  );
  app.get(
    '/api/oscp-connection-names',
    {
      config: { allow: ANY_USER },
      schema: {
        tags,
        summary: "Every connection's name and group id, deleted ones too (for pickers)",
        response: { 200: z.object({ connections: z.array(c.connectionName) }) },
      },
    },
    async () => ({ connections: await connections.names() }),
  );
  app.delete(
    '/api/oscp-connections/:id',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary: 'Delete a disabled connection (its record and audit stay readable)',
        params: idParams,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await connections.delete(request.params.id, requireUser(request).username, clock.now());
      return reply.code(204).send();
    },
  );
  app.post(
    '/api/oscp-connections',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary: 'Create an OSCP connection bound to a managed scope',
        body: c.createConnectionBody,
        response: { 201: c.connectionDetail },
      },
    },
    async (request, reply) => {
      const id = await connections.create(request.body, requireUser(request).username, clock.now());
      return reply.code(201).send(await connections.detail(id));
    },
  );
  app.get(
    '/api/oscp-connections/:id',
    {
      config: { allow: ANY_USER },
      schema: {
        tags,
        summary: 'One OSCP connection with its binding',
        params: idParams,
        response: { 200: c.connectionDetail },
      },
    },
    async (request) => connections.detail(request.params.id),
  );
  app.patch(
    '/api/oscp-connections/:id',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary: 'Edit an OSCP connection profile',
        params: idParams,
        body: c.editConnectionBody,
        response: { 200: c.connectionDetail },
      },
    },
    async (request) => {
      await connections.edit(
        request.params.id,
        request.body,
        requireUser(request).username,
        clock.now(),
      );
      return connections.detail(request.params.id);
    },
  );
  app.post(
    '/api/oscp-connections/:id/enable',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary: 'Enable a connection',
        params: idParams,
        response: { 200: c.connectionDetail },
      },
    },
    async (request) => {
      await connections.enable(request.params.id, requireUser(request).username, clock.now());
      return connections.detail(request.params.id);
    },
  );
  app.post(
    '/api/oscp-connections/:id/disable',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary: 'Disable a connection',
        params: idParams,
        response: { 200: c.connectionDetail },
      },
    },
    async (request) => {
      await connections.disable(request.params.id, requireUser(request).username, clock.now());
      return connections.detail(request.params.id);
    },
  );
  app.get(
    '/api/oscp-connections/:id/history',
    {
      config: { allow: ANY_USER },
      schema: {
        tags,
        summary: 'Configuration history',
        params: idParams,
        response: { 200: z.object({ history: z.array(c.historyEntry) }) },
      },
    },
    async (request) => ({ history: await connections.history(request.params.id) }),
  );

  // Secrets: write-only values. Reading shows names and when they were set, never a value.
  app.get(
    '/api/secrets',
    {
      config: { allow: MANAGERS },
      schema: {
        tags: ['secrets'],
        summary: 'Secret names (values are never returned)',
        response: { 200: lc.secretList },
      },
    },
    async () => ({ secrets: await secrets.list() }),
  );
  app.put(
    '/api/secrets/:name',
    {
      config: { allow: MANAGERS },
      schema: {
        tags: ['secrets'],
        summary: 'Set a secret value (write-only)',
        params: c.secretNameParams,
        body: c.putSecretBody,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await secrets.put(
        request.params.name,
        request.body.value,
        requireUser(request).username,
        clock.now(),
      );
      request.log.info({ 'secret.name': request.params.name }, 'secret set');
      return reply.code(204).send();
    },
  );
  app.delete(
    '/api/secrets/:name',
    {
      config: { allow: MANAGERS },
      schema: {
        tags: ['secrets'],
        summary: 'Delete a secret',
        params: c.secretNameParams,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await secrets.remove(request.params.name);
      return reply.code(204).send();
    },
  );
}
