import type { Clock } from '../../platform/clock';
import { ANY_USER, MANAGERS, OPERATORS } from '../../platform/auth/roles';
import type { Metrics } from '../../platform/http/metrics';
import { requireUser } from '../../platform/http/route-access';
import type { HttpApp } from '../../platform/http/server';
import { noContent } from '../../platform/http/wire';
import type { ChargingService } from '../app/charging';
import type { DepotModelService } from '../app/depot-model';
import type { DepotQueries } from '../app/depot-queries';
import type { EnvelopeService } from '../app/envelopes';
import * as c from '../contract';

export interface MicrogridRouteDeps {
  clock: Clock;
  metrics: Metrics;
  model: DepotModelService;
  queries: DepotQueries;
  envelopes: EnvelopeService;
  charging: ChargingService;
}

const tags = ['microgrid'];

export function registerMicrogridRoutes(app: HttpApp, deps: MicrogridRouteDeps): void {
  const { clock, model, queries, envelopes, charging, metrics } = deps;
  const rebalanced = (trigger: string) => metrics.rebalances.inc({ trigger });

  app.get(
    '/api/microgrids',
    {
      config: { allow: ANY_USER },
      schema: {
        tags,
        summary:
          'Microgrids with their managed scopes and the circuit each scope maps to (the canonical target contract)',
        response: { 200: c.microgridList },
      },
    },
    async () => ({ microgrids: await queries.listMicrogrids() }),
  );

  app.post(
    '/api/microgrids',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary: 'Create a microgrid',
        body: c.createMicrogridBody,
        response: { 201: c.microgridView },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await model.createMicrogrid(request.body, clock.now())),
  );
  app.patch(
    '/api/microgrids/:id',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary: 'Edit a microgrid',
        params: c.idParams,
        body: c.updateMicrogridBody,
        response: { 200: c.microgridView },
      },
    },
    async (request) => model.updateMicrogrid(request.params.id, request.body),
  );
  app.delete(
    '/api/microgrids/:id',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary: 'Delete a microgrid and everything in it',
        params: c.idParams,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await model.deleteMicrogrid(request.params.id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/microgrids/:id/circuits',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary: 'Add a circuit',
        params: c.idParams,
        body: c.createCircuitBody,
        response: { 201: c.circuitDetail },
      },
    },
    async (request, reply) => {
      const id = await model.createCircuit(request.params.id, request.body, clock.now());
      return reply.code(201).send(await queries.circuitDetail(id));
    },
  );
  app.get(
    '/api/circuits/:id',
    {
      config: { allow: ANY_USER },
      schema: {
        tags,
        summary: 'Circuit with effective capacity, its source, chargers and allocations',
        params: c.idParams,
        response: { 200: c.circuitDetail },
      },
    },
    async (request) => queries.circuitDetail(request.params.id),
  );
  app.patch(
    '/api/circuits/:id',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary: 'Edit a circuit',
        params: c.idParams,
        body: c.updateCircuitBody,
        response: { 200: c.circuitDetail },
      },
    },
    async (request) => {
      await model.updateCircuit(request.params.id, request.body, clock.now());
      rebalanced('circuit-changed');
      return queries.circuitDetail(request.params.id);
    },
  );
  app.delete(
    '/api/circuits/:id',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary: 'Delete a circuit',
        params: c.idParams,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await model.deleteCircuit(request.params.id);
      return reply.code(204).send();
    },
  );
  app.post(
    '/api/circuits/:id/rebalance',
    {
      config: { allow: OPERATORS },
      schema: {
        tags,
        summary: 'Run the load balancer now',
        params: c.idParams,
        response: { 200: c.circuitDetail },
      },
    },
    async (request) => {
      await charging.rebalance(request.params.id, clock.now());
      rebalanced('on-demand');
      return queries.circuitDetail(request.params.id);
    },
  );
  app.get(
    '/api/circuits/:id/capacity-history',
    {
      config: { allow: ANY_USER },
      schema: {
        tags,
        summary: 'Effective capacity and measured load over the past hours',
        params: c.idParams,
        querystring: c.capacityHistoryQuery,
        response: { 200: c.capacityHistory },
      },
    },
    async (request) => queries.capacityHistory(request.params.id, clock.now(), request.query.hours),
  );
  app.get(
    '/api/circuits/:id/envelopes',
    {
      config: { allow: ANY_USER },
      schema: {
        tags,
        summary: 'Envelopes on a circuit (open = scheduled or active), newest first, paged',
        params: c.idParams,
        querystring: c.envelopeListQuery,
        response: { 200: c.envelopeList },
      },
    },
    async (request) =>
      envelopes.list({
        circuitId: request.params.id,
        openOnly: request.query.status === 'open',
        limit: request.query.limit,
        before: request.query.before,
      }),
  );

  app.post(
    '/api/microgrids/:id/scopes',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary: 'Add a managed scope',
        params: c.idParams,
        body: c.createScopeBody,
        response: { 201: c.createdId },
      },
    },
    async (request, reply) => {
      const id = await model.createScope(request.params.id, request.body, clock.now());
      return reply.code(201).send({ id });
    },
  );
  app.patch(
    '/api/scopes/:id',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary: 'Rename a scope or change its circuits',
        params: c.idParams,
        body: c.updateScopeBody,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await model.updateScope(request.params.id, request.body);
      return reply.code(204).send();
    },
  );
  app.delete(
    '/api/scopes/:id',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary: 'Delete a managed scope',
        params: c.idParams,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await model.deleteScope(request.params.id, clock.now());
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/circuits/:id/chargers',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary: 'Add a charger',
        params: c.idParams,
        body: c.createChargerBody,
        response: { 201: c.createdId },
      },
    },
    async (request, reply) => {
      const id = await model.createCharger(request.params.id, request.body, clock.now());
      return reply.code(201).send({ id });
    },
  );
  app.patch(
    '/api/chargers/:id',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary: 'Edit a charger',
        params: c.idParams,
        body: c.updateChargerBody,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await model.updateCharger(request.params.id, request.body, clock.now());
      rebalanced('charger-changed');
      return reply.code(204).send();
    },
  );
  app.delete(
    '/api/chargers/:id',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary: 'Delete a charger',
        params: c.idParams,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await model.deleteCharger(request.params.id, clock.now());
      rebalanced('charger-changed');
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/chargers/:id/sessions',
    {
      config: { allow: OPERATORS },
      schema: {
        tags,
        summary: 'Start a charging session',
        params: c.idParams,
        body: c.startSessionBody,
        response: { 201: c.createdId },
      },
    },
    async (request, reply) => {
      const { sessionId } = await charging.startSession(
        request.params.id,
        request.body,
        clock.now(),
      );
      rebalanced('session-started');
      return reply.code(201).send({ id: sessionId });
    },
  );
  app.post(
    '/api/sessions/:id/stop',
    {
      config: { allow: OPERATORS },
      schema: {
        tags,
        summary: 'Stop a charging session',
        params: c.idParams,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await charging.stopSession(request.params.id, clock.now());
      rebalanced('session-stopped');
      return reply.code(204).send();
    },
  );
  app.post(
    '/api/meter-values',
    {
      config: { allow: OPERATORS },
      schema: {
        tags,
        summary: 'Report charger meter values (charger integrations)',
        body: c.meterValuesBody,
        response: { 202: c.meterValuesAccepted },
      },
    },
    async (request, reply) => {
      const count = await charging.recordMeterValues(
        request.body.readings.map((r) => ({ ...r, measuredAt: new Date(r.measuredAt) })),
        clock.now(),
      );
      return reply.code(202).send({ accepted: count });
    },
  );

  app.get(
    '/api/scopes/:id/envelopes',
    {
      config: { allow: ANY_USER },
      schema: {
        tags: ['envelopes'],
        summary: 'Envelopes of a managed scope, newest first, paged',
        params: c.idParams,
        querystring: c.envelopeListQuery,
        response: { 200: c.envelopeList },
      },
    },
    async (request) =>
      envelopes.list({
        scopeId: request.params.id,
        openOnly: request.query.status === 'open',
        limit: request.query.limit,
        before: request.query.before,
      }),
  );
  app.post(
    '/api/scopes/:id/envelopes',
    {
      config: { allow: MANAGERS },
      schema: {
        tags: ['envelopes'],
        summary: 'Submit an operating envelope for a managed scope',
        params: c.idParams,
        body: c.submitEnvelopeBody,
        response: { 201: c.envelopeView },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      try {
        const { envelope } = await envelopes.submit(
          {
            scopeId: request.params.id,
            source: request.body.source,
            origin: { kind: 'MANUAL', by: user.username },
            blocks: request.body.blocks,
          },
          clock.now(),
        );
        metrics.envelopeOutcomes.inc({ outcome: 'accepted' });
        rebalanced('envelope-submitted');
        return reply.code(201).send(envelope);
      } catch (error) {
        metrics.envelopeOutcomes.inc({ outcome: 'rejected' });
        throw error;
      }
    },
  );
  app.get(
    '/api/envelopes/:id',
    {
      config: { allow: ANY_USER },
      schema: {
        tags: ['envelopes'],
        summary: 'One envelope',
        params: c.idParams,
        response: { 200: c.envelopeView },
      },
    },
    async (request) => envelopes.get(request.params.id),
  );
  app.post(
    '/api/envelopes/:id/withdraw',
    {
      config: { allow: MANAGERS },
      schema: {
        tags: ['envelopes'],
        summary: 'Withdraw an envelope now',
        params: c.idParams,
        response: { 200: c.envelopeView },
      },
    },
    async (request) => {
      const { envelope } = await envelopes.withdraw(
        request.params.id,
        requireUser(request).username,
        clock.now(),
      );
      rebalanced('envelope-withdrawn');
      return envelope;
    },
  );
}
