import type { Clock } from '../../platform/clock';
import { ANY_USER, MANAGERS } from '../../platform/auth/roles';
import type { HttpApp } from '../../platform/http/server';
import type { BreachService } from '../app/breaches';
import * as c from '../contract';

const tags = ['microgrid'];

/** A circuit's breaches: what detection sees now, recent episodes, and the rule's settings. */
export function registerBreachRoutes(
  app: HttpApp,
  deps: { clock: Clock; breaches: BreachService },
): void {
  const { clock, breaches } = deps;
  app.get(
    '/api/circuits/:id/breaches',
    {
      config: { allow: ANY_USER },
      schema: {
        tags,
        summary: 'Breach detection on a circuit: load per phase against the limit, recent episodes',
        params: c.idParams,
        response: { 200: c.circuitBreaches },
      },
    },
    async (request) => breaches.circuitBreaches(request.params.id, clock.now()),
  );
  app.put(
    '/api/circuits/:id/breach-settings',
    {
      config: { allow: MANAGERS },
      schema: {
        tags,
        summary: 'Set the tolerance, hold time and worsening margin of breach detection',
        params: c.idParams,
        body: c.breachSettingsBody,
        response: { 200: c.circuitBreaches },
      },
    },
    async (request) => {
      await breaches.updateSettings(request.params.id, request.body, clock.now());
      return breaches.circuitBreaches(request.params.id, clock.now());
    },
  );
}
