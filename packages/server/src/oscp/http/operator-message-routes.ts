import { z } from 'zod';
import { ANY_USER, MANAGERS } from '../../platform/auth/roles';
import type { HttpApp } from '../../platform/http/server';
import type { BreachReportQueries } from '../app/breach-reports';
import type { OperatorMessageService } from '../app/operator-messages';
import * as c from '../operator-message-contract';

const idParams = z.object({ id: z.uuid('must be a UUID') });
const tags = ['oscp-connections'];

/**
 * What we tell a Capacity Provider besides the routine: adjustment requests and compliance errors
 * an operator sends, what is offered now, and the breaches OSCP reported by itself.
 */
export function registerOperatorMessageRoutes(
  app: HttpApp,
  deps: { operatorMessages: OperatorMessageService; breachReports: BreachReportQueries },
): void {
  const { operatorMessages, breachReports } = deps;

  app.get(
    '/api/oscp-connections/:id/operator-messages',
    {
      config: { allow: ANY_USER },
      schema: {
        tags,
        summary: 'Which operator messages can be sent now (and why not), and about which forecasts',
        params: idParams,
        response: { 200: c.operatorMessageOffers },
      },
    },
    async (request) => operatorMessages.offers(request.params.id),
  );

  app.post(
    '/api/oscp-connections/:id/adjustment-requests',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary:
          'Ask the Capacity Provider to adjust an accepted forecast in force (AdjustGroupCapacityForecast, correlated to it)',
        params: idParams,
        body: c.adjustmentRequestBody,
        response: { 202: c.sentToPeer },
      },
    },
    async (request, reply) => {
      const sent = await operatorMessages.requestAdjustment(
        request.params.id,
        request.principal!.username,
        request.body,
      );
      return reply.code(202).send(sent);
    },
  );

  app.post(
    '/api/oscp-connections/:id/compliance-errors',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary:
          'Tell the Capacity Provider an accepted forecast cannot be met (GroupCapacityComplianceError)',
        params: idParams,
        body: c.complianceErrorBody,
        response: { 202: c.sentToPeer },
      },
    },
    async (request, reply) => {
      const sent = await operatorMessages.reportComplianceError(
        request.params.id,
        request.principal!.username,
        request.body,
      );
      return reply.code(202).send(sent);
    },
  );

  app.get(
    '/api/oscp-connections/:id/breach-reports',
    {
      config: { allow: ANY_USER },
      schema: {
        tags,
        summary: 'Breaches reported to the Capacity Provider, with the compliance errors sent',
        params: idParams,
        response: { 200: c.breachReportList },
      },
    },
    async (request) => ({ reports: await breachReports.ofConnection(request.params.id) }),
  );

  app.get(
    '/api/oscp-breach-reports',
    {
      config: { allow: ANY_USER },
      schema: {
        tags,
        summary: 'Breaches on a circuit that were reported, and to which connection',
        querystring: c.breachReportQuery,
        response: { 200: c.breachReportList },
      },
    },
    async (request) => ({ reports: await breachReports.ofCircuit(request.query.circuitId) }),
  );
}
