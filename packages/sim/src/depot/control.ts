import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CHARGER_BEHAVIOURS, type ChargerBehaviour } from './ocpp/charge-point';
import type { OcppDepotSimulator } from './ocpp/ocpp-depot-simulator';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

const behaviourBody = z
  .strictObject({
    behaviour: z.enum(CHARGER_BEHAVIOURS),
    /** The fixed current of a STUCK charger, A per phase. */
    currentA: z.number().min(0).max(1000).optional(),
  })
  .refine((b) => b.behaviour !== 'STUCK' || b.currentA !== undefined, {
    message: 'currentA is required for STUCK',
    path: ['currentA'],
  });

export type BehaviourRequest = z.infer<typeof behaviourBody>;

export function behaviourOf(request: BehaviourRequest): ChargerBehaviour {
  return request.behaviour === 'STUCK'
    ? { kind: 'STUCK', currentA: request.currentA! }
    : { kind: request.behaviour };
}

/**
 * The depot simulator's control API under `/control/` (loopback clients only unless allowed):
 * what each charge point is doing, and the breach scenarios — a vehicle that ignores its
 * allocation, a charger stuck at a fixed current, and back to obedience. Errors are `{message}`.
 */
export async function startDepotControl(
  sim: OcppDepotSimulator,
  options: { port?: number; host?: string; allowRemote?: boolean } = {},
): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify({ logger: false });
  app.addHook('onRequest', async (request, reply) => {
    const address = request.socket.remoteAddress ?? '';
    if (!options.allowRemote && !LOOPBACK.has(address) && !address.startsWith('127.')) {
      return reply.code(403).send({ message: 'the control API only answers loopback clients' });
    }
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ message: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );
  app.get('/control/state', async () => ({ chargePoints: sim.state() }));
  app.post<{ Params: { id: string } }>(
    '/control/charge-points/:id/behaviour',
    async (request, reply) => {
      const body = behaviourBody.safeParse(request.body ?? {});
      if (!body.success) {
        const issue = body.error.issues[0]!;
        return reply
          .code(400)
          .send({ message: `${issue.path.join('.') || 'body'}: ${issue.message}` });
      }
      const cp = sim.chargePoint(request.params.id);
      if (!cp) return reply.code(404).send({ message: `no charge point ${request.params.id}` });
      cp.setBehaviour(behaviourOf(body.data));
      return { chargePoint: sim.state().find((s) => s.chargePointId === cp.chargePointId) };
    },
  );
  await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  return { app, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}` };
}
