import type { Clock } from './platform/clock';
import type { Db } from './platform/db/database';
import type { Logger } from './platform/logging';
import { registerAuthentication } from './platform/auth/authenticate';
import { registerAuthRoutes } from './platform/auth/routes';
import { registerHealthRoutes } from './platform/http/health';
import { createMetrics, type Metrics } from './platform/http/metrics';
import { createHttpServer, type HttpApp } from './platform/http/server';
import { Scheduler } from './platform/scheduler/scheduler';
import { CIRCUIT_REFRESH_WORK, refreshCircuit } from './microgrid/app/capacity-refresh';
import { ChargingService } from './microgrid/app/charging';
import { DepotModelService } from './microgrid/app/depot-model';
import { DepotQueries } from './microgrid/app/depot-queries';
import { EnvelopeService } from './microgrid/app/envelopes';
import { registerMicrogridRoutes } from './microgrid/http/routes';
import { ConnectionService } from './oscp/app/connections';
import type { ScopeDirectory } from './oscp/app/scope-directory';
import { registerConnectionRoutes } from './oscp/http/connection-routes';
import { SecretStore } from './platform/secrets/secret-store';

export interface AppOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  webDistDir?: string | undefined;
  /** 32 bytes: encrypts stored secrets. */
  secretsKey: Buffer;
  sessionTtlHours?: number;
  loginFailuresPerMinute?: number;
  secureCookies?: boolean;
}

export interface App {
  http: HttpApp;
  scheduler: Scheduler;
  metrics: Metrics;
  microgrid: {
    model: DepotModelService;
    queries: DepotQueries;
    envelopes: EnvelopeService;
    charging: ChargingService;
  };
  oscp: {
    connections: ConnectionService;
  };
  secrets: SecretStore;
}

/** OSCP picks its targets from the microgrid's canonical read contract, never from its tables. */
function scopeDirectoryFrom(queries: DepotQueries): ScopeDirectory {
  return {
    async find(microgridId, scopeId) {
      const microgrid = (await queries.listMicrogrids()).find((m) => m.id === microgridId);
      const scope = microgrid?.scopes.find((s) => s.id === scopeId);
      if (!microgrid || !scope) return undefined;
      return { microgridId, microgridName: microgrid.name, scopeId, scopeName: scope.name, circuit: scope.circuit };
    },
  };
}

/** The composition of every context on one HTTP server and one scheduler. Used by main and by tests. */
export async function createApp(options: AppOptions): Promise<App> {
  const { db, clock, log } = options;
  const metrics = createMetrics();
  const http = await createHttpServer({ log, metrics, webDistDir: options.webDistDir });
  const scheduler = new Scheduler(db, clock, log);

  registerAuthentication(http, db, clock);
  registerHealthRoutes(http, db, metrics);
  registerAuthRoutes(http, {
    db,
    clock,
    metrics,
    sessionTtlHours: options.sessionTtlHours ?? 12,
    loginFailuresPerMinute: options.loginFailuresPerMinute ?? 10,
    secureCookies: options.secureCookies ?? false,
  });

  const microgrid = {
    model: new DepotModelService(db),
    queries: new DepotQueries(db),
    envelopes: new EnvelopeService(db),
    charging: new ChargingService(db),
  };
  registerMicrogridRoutes(http, { clock, metrics, ...microgrid });
  scheduler.register(CIRCUIT_REFRESH_WORK, async (trx, work, now) => {
    await refreshCircuit(trx, work.key, now);
    metrics.rebalances.inc({ trigger: 'envelope-boundary' });
  });

  const secrets = new SecretStore(options.secretsKey);
  const oscp = { connections: new ConnectionService(db, scopeDirectoryFrom(microgrid.queries), secrets) };
  registerConnectionRoutes(http, { db, clock, connections: oscp.connections, secrets });

  await http.ready();
  return { http, scheduler, metrics, microgrid, oscp, secrets };
}
