import { z } from 'zod';
import { ANY_USER, MANAGERS } from '../../platform/auth/roles';
import { problems } from '../../platform/http/problem';
import { noContent } from '../../platform/http/wire';
import { requireUser } from '../../platform/http/route-access';
import type { HttpApp } from '../../platform/http/server';
import type { ChargePointService } from '../app/charge-points';
import * as c from '../contract';
import { OCPP_SUBPROTOCOL } from '../domain/messages';
import { OCPP_PATH } from './central-system';

export interface OcppRouteDeps {
  chargePoints: ChargePointService;
  /** The server's public http(s) URL; chargers use the ws(s) form of it. */
  publicUrl: () => string;
}

const tags = ['ocpp'];

export function ocppUrl(publicUrl: string): string {
  return `${publicUrl.replace(/^http/, 'ws')}${OCPP_PATH}/`;
}

export function registerOcppRoutes(app: HttpApp, deps: OcppRouteDeps): void {
  const { chargePoints } = deps;

  app.get(
    '/api/ocpp-info',
    {
      config: { allow: ANY_USER },
      schema: { tags, summary: 'Where chargers connect', response: { 200: c.ocppInfo } },
    },
    async () => ({ url: ocppUrl(deps.publicUrl()), subprotocol: OCPP_SUBPROTOCOL }),
  );

  app.get(
    '/api/circuits/:id/ocpp',
    {
      config: { allow: ANY_USER },
      schema: {
        tags,
        summary:
          'OCPP status of the chargers on a circuit: connection, connectors, limit sent and its answer',
        params: c.chargerParams,
        response: { 200: c.circuitChargePoints },
      },
    },
    async (request) => ({ chargePoints: await chargePoints.onCircuit(request.params.id) }),
  );

  app.get(
    '/api/chargers/:id/ocpp',
    {
      config: { allow: ANY_USER },
      schema: {
        tags,
        summary: 'A charger’s OCPP identity and status',
        params: c.chargerParams,
        response: { 200: c.chargePointView },
      },
    },
    async (request) => {
      const view = await chargePoints.ofCharger(request.params.id);
      if (!view) throw problems.notFound('OCPP identity of charger', request.params.id);
      return view;
    },
  );

  app.put(
    '/api/chargers/:id/ocpp',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary: 'Give a charger its OCPP identity (charge point id, connector ids)',
        params: c.chargerParams,
        body: c.assignIdentityBody,
        response: { 200: c.chargePointView },
      },
    },
    async (request) => {
      await chargePoints.assign(request.params.id, request.body, requireUser(request).username);
      return (await chargePoints.ofCharger(request.params.id))!;
    },
  );

  app.delete(
    '/api/chargers/:id/ocpp',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary: 'Remove a charger’s OCPP identity (it can no longer connect)',
        params: c.chargerParams,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await chargePoints.remove(request.params.id, requireUser(request).username);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/chargers/:id/ocpp/password',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary: 'Issue a new OCPP password (shown once; the old one opens no new connection)',
        params: c.chargerParams,
        response: { 200: c.newPassword },
      },
    },
    async (request) => {
      const { password } = await chargePoints.rotatePassword(
        request.params.id,
        requireUser(request).username,
      );
      const view = (await chargePoints.ofCharger(request.params.id))!;
      return {
        chargePointId: view.chargePointId,
        password,
        url: `${ocppUrl(deps.publicUrl())}${view.chargePointId}`,
      };
    },
  );

  app.get(
    '/api/chargers/:id/ocpp/log',
    {
      config: { allow: ANY_USER },
      schema: {
        tags,
        summary: 'The charger’s last OCPP messages, newest first',
        params: c.chargerParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: { 200: c.messageLog },
      },
    },
    async (request) => ({
      entries: await chargePoints.log(request.params.id, request.query.limit),
    }),
  );

  app.get(
    '/api/microgrids/:id/ocpp-id-tags',
    {
      config: { allow: ANY_USER },
      schema: {
        tags,
        summary: 'Who may charge at this depot (id-tag policy)',
        params: c.chargerParams,
        response: { 200: c.idTagPolicyBody },
      },
    },
    async (request) => chargePoints.idTagPolicy(request.params.id),
  );

  app.put(
    '/api/microgrids/:id/ocpp-id-tags',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary: 'Accept every id tag, or only an allow-list',
        params: c.chargerParams,
        body: c.idTagPolicyBody,
        response: { 200: c.idTagPolicyBody },
      },
    },
    async (request) => {
      await chargePoints.setIdTagPolicy(request.params.id, request.body);
      return chargePoints.idTagPolicy(request.params.id);
    },
  );
}
