import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import {
  CAPACITY_FORECAST_TYPES,
  FORECASTED_BLOCK_UNITS,
  MEASUREMENT_CONFIGURATIONS,
  PHASE_INDICATORS,
  fromWireTime,
  parseWire,
  wireTimestampSchema,
} from '@openvelope/oscp';
import { SimError } from './errors';
import { alignDown, rollingForecast, zeroProtectiveForecast } from './forecasts';
import type { CapacityProviderSimulator } from './simulator';
import { ACKNOWLEDGEMENT_PATHS, PEER_MODES } from './types';
import type { ForecastInput } from './types';

export interface ControlOptions {
  sim: CapacityProviderSimulator;
  /** Serve non-loopback clients too. */
  allowRemote: boolean;
}

const httpUrl = z.url({ protocol: /^https?$/ });
const headers = z.record(z.string().min(1), z.string());
const forecastType = z.enum(CAPACITY_FORECAST_TYPES);
const unit = z.enum(FORECASTED_BLOCK_UNITS);
const phase = z.enum(PHASE_INDICATORS);

const peerBody = z.strictObject({
  groupId: z.string().min(1),
  mode: z.enum(PEER_MODES),
  fpBaseUrl: httpUrl.optional(),
  initialTokenForFp: z.string().min(1).optional(),
  initialTokenFromFp: z.string().min(1).optional(),
  oauth: z
    .strictObject({
      fpTokenUrl: httpUrl.optional(),
      clientId: z.string().min(1),
      clientSecret: z.string().min(1),
      outboundClientId: z.string().min(1).optional(),
      outboundClientSecret: z.string().min(1).optional(),
      clientAuthentication: z.enum(['body', 'basic']).optional(),
      scope: z.string().optional(),
    })
    .optional(),
  expectedStaticHeaders: headers.optional(),
  staticHeadersToSend: headers.optional(),
  heartbeatIntervalSeconds: z.number().min(1).optional(),
  measurementConfiguration: z.array(z.enum(MEASUREMENT_CONFIGURATIONS)).optional(),
  autoRegisterBack: z.boolean().optional(),
  autoAcknowledge: z.boolean().optional(),
  autoHandshakeAfterRegister: z.boolean().optional(),
  requireHandshake: z.boolean().optional(),
  autoHeartbeats: z.boolean().optional(),
  relativeBaseUrl: z.boolean().optional(),
  acknowledgementPath: z.enum(ACKNOWLEDGEMENT_PATHS).optional(),
  localTimes: z.boolean().optional(),
  sendsHeartbeats: z.boolean().optional(),
});

const handshakeBody = z.strictObject({
  heartbeatIntervalSeconds: z.number().min(1).optional(),
  measurementConfiguration: z.array(z.enum(MEASUREMENT_CONFIGURATIONS)).optional(),
});

const acknowledgeBody = z.strictObject({ correlationId: z.string().min(1).optional() });

const heartbeatsBody = z.strictObject({
  intervalSeconds: z.number().positive(),
  offlineMultiplier: z.number().positive().optional(),
});

const heartbeatBody = z.strictObject({
  intervalSeconds: z.number().positive().optional(),
  offlineMultiplier: z.number().positive().optional(),
});

const horizon = {
  /** Start of the first block; default: the start of the current block. */
  from: wireTimestampSchema.optional(),
  hours: z.number().positive().optional(),
  blockMinutes: z.number().positive().optional(),
  unit: unit.optional(),
  phase: phase.optional(),
  type: forecastType.optional(),
  gapAfterHours: z.number().min(0).optional(),
  gapMinutes: z.number().positive().optional(),
};
const rollingBody = z.strictObject({
  rolling: z.strictObject({ ...horizon, capacity: z.number().min(0) }),
});
const zeroBody = z.strictObject({ zero: z.strictObject(horizon) });
const explicitBody = z.strictObject({
  type: forecastType,
  blocks: z.array(
    z.strictObject({
      start: wireTimestampSchema,
      end: wireTimestampSchema,
      capacity: z.number(),
      unit,
      phase,
    }),
  ),
});

const scheduleBody = z.strictObject({
  everyMinutes: z.number().positive().optional(),
  hours: z.number().positive().optional(),
  blockMinutes: z.number().positive().optional(),
  capacity: z.number().min(0).optional(),
  unit: unit.optional(),
  phase: phase.optional(),
  type: forecastType.optional(),
  zero: z.boolean().optional(),
  includeFallback: z.strictObject({ capacity: z.number().min(0) }).optional(),
  gapAfterHours: z.number().min(0).optional(),
  gapMinutes: z.number().positive().optional(),
});

const faultBody = z.strictObject({
  endpoint: z.string().min(1).optional(),
  peerId: z.string().min(1).optional(),
  status: z.int().min(200).max(599).optional(),
  delayMs: z.number().min(0).optional(),
  message: z.string().optional(),
  times: z.int().min(1).optional(),
});

const messagesQuery = z.object({
  endpoint: z.string().min(1).optional(),
  peer: z.string().min(1).optional(),
  direction: z.enum(['inbound', 'outbound']).optional(),
  limit: z.coerce.number().int().min(1).optional(),
});

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = parseWire(schema, input ?? {});
  if (!result.ok) throw new SimError(400, result.message);
  return result.value;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * The JSON control API under `/control/` (no authentication: loopback clients only unless
 * allowed). Errors are `{message}` with a 4xx status. Actions that send a message answer
 * `{outcome}` (the wire client's outcome, delivered or not); schedule switches answer `{peer}`.
 */
export const controlRoutes: FastifyPluginAsync<ControlOptions> = async (
  app,
  { sim, allowRemote },
) => {
  app.addHook('onRequest', async (request, reply) => {
    const address = request.socket.remoteAddress ?? '';
    if (!allowRemote && !LOOPBACK.has(address) && !address.startsWith('127.')) {
      return reply.code(403).send({ message: 'the control API only answers loopback clients' });
    }
  });

  type WithId = { Params: { id: string } };

  app.get('/state', async () => sim.state());

  app.get('/messages', async (request) => {
    const query = parse(messagesQuery, request.query);
    const filter = {
      ...(query.endpoint ? { endpoint: query.endpoint } : {}),
      ...(query.peer ? { peerId: query.peer } : {}),
    };
    const all = query.direction === 'outbound' ? sim.sentMessages(filter) : sim.messages(filter);
    return { messages: query.limit ? all.slice(-query.limit) : all };
  });

  app.delete('/messages', async (_request, reply) => {
    sim.clearMessages();
    return reply.code(204).send();
  });

  app.post('/peers', async (request, reply) => {
    const id = sim.addPeer(parse(peerBody, request.body));
    return reply.code(201).send({ id, peer: sim.peer(id) });
  });

  app.get<WithId>('/peers/:id', async (request) => sim.peer(request.params.id));

  app.delete<WithId>('/peers/:id', async (request, reply) => {
    sim.removePeer(request.params.id);
    return reply.code(204).send();
  });

  app.post<WithId>('/peers/:id/register', async (request) => ({
    outcome: await sim.register(request.params.id),
  }));

  app.post<WithId>('/peers/:id/handshake', async (request) => ({
    outcome: await sim.sendHandshake(request.params.id, parse(handshakeBody, request.body)),
  }));

  app.post<WithId>('/peers/:id/handshake/acknowledge', async (request) => ({
    outcome: await sim.acknowledgeHandshake(
      request.params.id,
      parse(acknowledgeBody, request.body),
    ),
  }));

  app.post<WithId>('/peers/:id/heartbeats', async (request) => {
    const body = parse(heartbeatsBody, request.body);
    sim.startHeartbeats(request.params.id, body.intervalSeconds, body.offlineMultiplier);
    return { peer: sim.peer(request.params.id) };
  });

  app.delete<WithId>('/peers/:id/heartbeats', async (request) => {
    sim.stopHeartbeats(request.params.id);
    return { peer: sim.peer(request.params.id) };
  });

  app.post<WithId>('/peers/:id/heartbeats/resume', async (request) => {
    sim.resumeHeartbeats(request.params.id);
    return { peer: sim.peer(request.params.id) };
  });

  app.post<WithId>('/peers/:id/heartbeats/send', async (request) => ({
    outcome: await sim.sendHeartbeat(request.params.id, parse(heartbeatBody, request.body)),
  }));

  app.post<WithId>('/peers/:id/forecasts', async (request) => {
    const forecast = forecastFrom(request.body, sim.state().now);
    return { outcome: await sim.sendForecast(request.params.id, forecast) };
  });

  app.post<WithId>('/peers/:id/forecast-schedule', async (request) => {
    sim.startForecastSchedule(request.params.id, parse(scheduleBody, request.body));
    return { peer: sim.peer(request.params.id) };
  });

  app.delete<WithId>('/peers/:id/forecast-schedule', async (request) => {
    sim.stopForecastSchedule(request.params.id);
    return { peer: sim.peer(request.params.id) };
  });

  app.post<WithId>('/peers/:id/forecast-schedule/run', async (request) => ({
    outcomes: await sim.runForecastSchedule(request.params.id),
  }));

  app.get('/faults', async () => ({ faults: sim.faults() }));

  app.post('/faults', async (request, reply) => {
    const fault = sim.setFault(parse(faultBody, request.body));
    return reply.code(201).send({ fault });
  });

  app.delete('/faults', async (_request, reply) => {
    sim.clearFaults();
    return reply.code(204).send();
  });
};

/** `{type, blocks}`, `{rolling: {...}}` or `{zero: {...}}`; horizons start at the current block. */
function forecastFrom(body: unknown, now: string): ForecastInput {
  const keys = typeof body === 'object' && body !== null ? Object.keys(body) : [];
  if (keys.includes('rolling') || keys.includes('zero')) {
    const rolling = keys.includes('rolling') ? parse(rollingBody, body).rolling : undefined;
    const spec = rolling ?? parse(zeroBody, body).zero;
    const blockMinutes = spec.blockMinutes ?? 15;
    const common = {
      from: spec.from ? fromWireTime(spec.from) : alignDown(new Date(now), blockMinutes),
      ...(spec.hours === undefined ? {} : { hours: spec.hours }),
      blockMinutes,
      ...(spec.unit ? { unit: spec.unit } : {}),
      ...(spec.phase ? { phase: spec.phase } : {}),
      ...(spec.type ? { type: spec.type } : {}),
      ...(spec.gapAfterHours === undefined
        ? {}
        : { gap: { afterHours: spec.gapAfterHours, minutes: spec.gapMinutes ?? 60 } }),
    };
    return rolling
      ? rollingForecast({ ...common, capacity: rolling.capacity })
      : zeroProtectiveForecast(common);
  }
  // Block values are not range-checked here: the wire library refuses to send an invalid body and
  // the returned outcome says why, which is what a test of that path wants to see.
  return parse(explicitBody, body);
}
