import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per app instance, so tests can build several apps in one process. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_server_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['http_request_method', 'http_route', 'http_response_status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    rebalances: new Counter({
      name: 'openvelope_rebalances_total',
      help: 'Load-balancer runs committed, by trigger',
      labelNames: ['trigger'],
      registers: [registry],
    }),
    envelopeOutcomes: new Counter({
      name: 'openvelope_envelope_outcomes_total',
      help: 'Operating envelope submissions by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    loginFailures: new Counter({
      name: 'openvelope_login_failures_total',
      help: 'Failed sign-in attempts',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
