import type { Clock } from './platform/clock';
import type { Db } from './platform/db/database';
import type { Logger } from './platform/logging';
import { registerAuthentication } from './platform/auth/authenticate';
import { registerAuthRoutes } from './platform/auth/routes';
import { registerHealthRoutes } from './platform/http/health';
import { createMetrics, type Metrics } from './platform/http/metrics';
import { createHttpServer, type HttpApp } from './platform/http/server';
import { scheduleWork, Scheduler } from './platform/scheduler/scheduler';
import { CIRCUIT_REFRESH_WORK, refreshCircuit } from './microgrid/app/capacity-refresh';
import { BREACH_CHECK_WORK, BreachDetector } from './microgrid/app/breach-detection';
import { BreachService } from './microgrid/app/breaches';
import { registerBreachRoutes } from './microgrid/http/breach-routes';
import { ChargingService } from './microgrid/app/charging';
import { DepotModelService } from './microgrid/app/depot-model';
import { DepotQueries } from './microgrid/app/depot-queries';
import { EnvelopeService } from './microgrid/app/envelopes';
import { METER_RETENTION_WORK, pruneOldMeterReadings } from './microgrid/app/meter-retention';
import { ENVELOPE_RETENTION_WORK, pruneOldEnvelopes } from './microgrid/app/envelope-retention';
import { registerMicrogridRoutes } from './microgrid/http/routes';
import { ConnectionService, enabledConnectionOnScope } from './oscp/app/connections';
import type { ScopeBinding, ScopeDirectory } from './oscp/app/scope-directory';
import { ConcurrencyLimit } from './platform/concurrency-limit';
import { registerConnectionRoutes } from './oscp/http/connection-routes';
import { SecretStore } from './platform/secrets/secret-store';
import { Dispatcher } from './platform/outbox/dispatcher';
import {
  HANDSHAKE_ACKNOWLEDGEMENT_WORK,
  HEARTBEAT_WORK,
  LifecycleService,
  OFFLINE_CHECK_WORK,
  REGISTRATION_TIMEOUT_WORK,
} from './oscp/app/lifecycle';
import { createOscpTransport } from './oscp/app/transport';
import { registerLifecycleRoutes } from './oscp/http/lifecycle-routes';
import { CONTROL_WORK, ControlService } from './oscp/app/control';
import { ConnectionHandler } from './oscp/app/connection-handler';
import { InboundService } from './oscp/app/inbound';
import { PeerCredentialService } from './oscp/app/peer-credentials';
import { SecretAdmin } from './oscp/app/secret-admin';
import { RefusalQueries } from './oscp/app/refusals';
import { registerRefusalRoutes } from './oscp/http/refusal-routes';
import { pruneOscpRecords, RETENTION_WORK, type RetentionSettings } from './oscp/app/retention';
import { MEASUREMENT_WORK, publishMeasurements } from './oscp/app/measurements';
import { MeasurementHistory } from './oscp/app/measurement-history';
import { registerMeasurementRoutes } from './oscp/http/measurement-routes';
import { OperatorMessageService } from './oscp/app/operator-messages';
import {
  BREACH_REPORT_WORK,
  BreachCompliance,
  oscpBreachObserver,
} from './oscp/app/breach-compliance';
import { BreachReportQueries } from './oscp/app/breach-reports';
import { registerOperatorMessageRoutes } from './oscp/http/operator-message-routes';
import { breachNotifications } from './notifications/app/breach-notifications';
import { NotificationQueries, NotificationService } from './notifications/app/notifications';
import { registerNotificationRoutes } from './notifications/http/routes';
import { OSCP_FP_PREFIX, registerProtocolRoutes } from './oscp/http/protocol-routes';
import { registerOcpp, type OcppContext, type OcppOptions } from './ocpp/context';

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
  /** The URL users reach the console at (PUBLIC_URL): its origin may change things; https turns HSTS on. */
  publicUrl?: string | undefined;
  /** Proxies whose X-Forwarded-For is believed (TRUST_PROXY); none by default. */
  trustProxy?: readonly string[] | undefined;
  /** When set, /metrics requires it as a Bearer token (METRICS_TOKEN). */
  metricsToken?: string | undefined;
  /** How long meter readings are kept (7 days by default). */
  meterReadingRetentionDays?: number;
  /** How long finished envelopes and capacity history are kept (30 days by default). */
  envelopeRetentionDays?: number;
  oscp?: {
    /** Where peers reach us; defaults to the address the server listens on. */
    publicUrl?: string;
    requestTimeoutMs?: number;
    maxDeliveryAttempts?: number;
    retryBaseDelayMs?: number;
    registrationReplyTimeoutMs?: number;
    /** How long we wait for the acknowledgement of a handshake of ours after its delivery. */
    handshakeAcknowledgementTimeoutMs?: number;
    /** How long finished publications and received request ids are kept (see RetentionSettings). */
    retention?: RetentionSettings;
    /** Inbound forecasts applied at once (the rest wait their turn); default 4. */
    forecastConcurrency?: number;
    fetch?: typeof fetch;
  };
  /** OCPP 1.6-J central system settings (defaults suit real chargers). */
  ocpp?: OcppOptions;
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
    breaches: BreachService;
    /** Evaluates circuits' loads against their limits (observers hear of each breach change). */
    breachDetector: BreachDetector;
    /** Books the first retention runs (they then book themselves); `npm start` calls it. */
    startRetention(now: Date): Promise<void>;
  };
  oscp: {
    connections: ConnectionService;
    lifecycle: LifecycleService;
    dispatcher: Dispatcher;
    control: ControlService;
    /** Runs lifecycle and control decisions (for tools that build their own services). */
    handler: ConnectionHandler;
    /** Tells Capacity Providers about breach episodes (the handler of its due work). */
    breachCompliance: BreachCompliance;
    /** Books the first retention run (it then books itself); `npm start` calls it once. */
    startRetention(now: Date): Promise<void>;
  };
  ocpp: OcppContext;
  secrets: SecretStore;
  /** Where peers reach this instance (set once the server listens, unless configured). */
  setPublicUrl(url: string): void;
  /** Runs due work and deliveries until nothing is due at the clock's now (tests with a manual clock). */
  settle(): Promise<void>;
}

/** OSCP picks its targets from the microgrid's read contract, never from its tables. */
function scopeDirectoryFrom(queries: DepotQueries): ScopeDirectory {
  const findMany = async (scopeIds: readonly string[]) => {
    const bindings = new Map<string, ScopeBinding>();
    for (const s of await queries.managedScopes(scopeIds)) {
      bindings.set(s.scopeId, {
        microgridId: s.microgridId,
        microgridName: s.microgridName,
        scopeId: s.scopeId,
        scopeName: s.scopeName,
        circuit: s.circuits.length === 1 ? s.circuits[0]! : null,
        circuitCount: s.circuits.length,
      });
    }
    return bindings;
  };
  return {
    findMany,
    async find(microgridId, scopeId) {
      const binding = (await findMany([scopeId])).get(scopeId);
      return binding?.microgridId === microgridId ? binding : undefined;
    },
  };
}

/** The composition of every context on one HTTP server and one scheduler. Used by main and by tests. */
export async function createApp(options: AppOptions): Promise<App> {
  const { db, clock, log } = options;
  const metrics = createMetrics();
  const http = await createHttpServer({
    log,
    metrics,
    clock,
    webDistDir: options.webDistDir,
    publicUrl: options.publicUrl,
    trustProxy: options.trustProxy,
  });
  const scheduler = new Scheduler(db, clock, log);

  registerAuthentication(http, db, clock);
  registerHealthRoutes(http, db, metrics, { metricsToken: options.metricsToken, log });
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
    breaches: new BreachService(db),
    breachDetector: new BreachDetector(),
    startRetention: async (now: Date) => {
      await scheduleWork(db, { kind: METER_RETENTION_WORK, key: 'all', dueAt: now }, now);
      await scheduleWork(db, { kind: ENVELOPE_RETENTION_WORK, key: 'all', dueAt: now }, now);
    },
  };
  registerMicrogridRoutes(http, { clock, metrics, ...microgrid });
  registerBreachRoutes(http, { clock, breaches: microgrid.breaches });
  scheduler.register(BREACH_CHECK_WORK, async (trx, work, now) => {
    await microgrid.breachDetector.evaluate(trx, work.key, now);
  });
  scheduler.register(
    METER_RETENTION_WORK,
    async (trx, work, now) => {
      const pruned = await pruneOldMeterReadings(
        trx,
        work,
        now,
        options.meterReadingRetentionDays ?? 7,
      );
      if (pruned > 0) log.info({ pruned }, 'pruned old meter readings');
    },
    { batchable: true },
  );
  scheduler.register(
    ENVELOPE_RETENTION_WORK,
    async (trx, work, now) => {
      const pruned = await pruneOldEnvelopes(trx, work, now, options.envelopeRetentionDays ?? 30);
      if (pruned.envelopes + pruned.capacityHistory > 0)
        log.info(pruned, 'pruned finished envelopes and old capacity history');
    },
    { batchable: true },
  );
  scheduler.register(CIRCUIT_REFRESH_WORK, async (trx, work, now) => {
    await refreshCircuit(trx, work.key, now);
    metrics.rebalances.inc({ trigger: 'envelope-boundary' });
  });

  const secrets = new SecretStore(options.secretsKey);
  let publicUrl = options.oscp?.publicUrl ?? 'http://localhost:8080';
  const timeoutMs = options.oscp?.requestTimeoutMs ?? 10_000;
  const maxDeliveryAttempts = options.oscp?.maxDeliveryAttempts ?? 5;
  const notifications = new NotificationService();
  registerNotificationRoutes(http, { queries: new NotificationQueries(db), clock });
  microgrid.breachDetector.observe(breachNotifications(notifications));
  const handler = new ConnectionHandler(
    {
      secrets,
      envelopes: microgrid.envelopes,
      notifications,
      maxDeliveryAttempts,
      log: log.child({ component: 'oscp' }),
    },
    () => ({
      ourBaseUrl: `${publicUrl}${OSCP_FP_PREFIX}`,
      registrationReplyTimeoutMs: options.oscp?.registrationReplyTimeoutMs ?? 60_000,
      handshakeAcknowledgementTimeoutMs: options.oscp?.handshakeAcknowledgementTimeoutMs ?? 60_000,
    }),
  );
  const lifecycle = new LifecycleService(
    db,
    clock,
    handler,
    secrets,
    log.child({ component: 'oscp' }),
  );
  const credentials = new PeerCredentialService(db, clock, 3600);
  const transport = createOscpTransport({
    db,
    secrets,
    clock,
    timeoutMs,
    ...(options.oscp?.fetch ? { fetch: options.oscp.fetch } : {}),
  });
  const dispatcher = new Dispatcher(
    db,
    clock,
    transport,
    (trx, record) => lifecycle.onDeliveryAttempt(trx, record),
    {
      timeoutMs,
      baseDelayMs: options.oscp?.retryBaseDelayMs ?? 2000,
      maxDelayMs: 300_000,
      batchSize: 50,
    },
    log.child({ component: 'oscp-dispatcher' }),
  );
  const control = new ControlService(db, clock, handler);
  microgrid.model.addScopeDependency(enabledConnectionOnScope);
  const connections = new ConnectionService(
    db,
    scopeDirectoryFrom(microgrid.queries),
    secrets,
    lifecycle,
    handler,
    clock,
  );
  registerConnectionRoutes(http, { clock, connections, secrets: new SecretAdmin(db, secrets) });
  registerLifecycleRoutes(http, {
    clock,
    connections,
    lifecycle,
    credentials,
    control,
    publicUrl: () => publicUrl,
  });
  registerOperatorMessageRoutes(http, {
    operatorMessages: new OperatorMessageService(db, clock, maxDeliveryAttempts),
    breachReports: new BreachReportQueries(db),
  });
  registerRefusalRoutes(http, { refusals: new RefusalQueries(db) });
  registerProtocolRoutes(http, {
    inbound: new InboundService({
      db,
      clock,
      secrets,
      handler,
      log: log.child({ component: 'oscp-inbound' }),
      forecastSlots: new ConcurrencyLimit(options.oscp?.forecastConcurrency ?? 4),
    }),
    credentials,
  });
  scheduler.register(CONTROL_WORK, (trx, work, now) => control.reevaluate(trx, work, now));
  // OSCP hears of breaches through the microgrid's observer port and acts in its own due work.
  microgrid.breachDetector.observe(oscpBreachObserver);
  const breachCompliance = new BreachCompliance(
    (episodeId, trx) => microgrid.breaches.episode(episodeId, trx),
    handler,
    log.child({ component: 'oscp' }),
  );
  scheduler.register(BREACH_REPORT_WORK, (trx, work, now) =>
    breachCompliance.handle(trx, work, now),
  );
  // Sending a heartbeat locks nothing but its own rows, so heartbeats due together share a transaction.
  scheduler.register(HEARTBEAT_WORK, (trx, work, now) => lifecycle.sendHeartbeat(trx, work, now), {
    batchable: true,
  });
  scheduler.register(OFFLINE_CHECK_WORK, (trx, work, now) =>
    lifecycle.checkOffline(trx, work, now),
  );
  scheduler.register(REGISTRATION_TIMEOUT_WORK, (trx, work, now) =>
    lifecycle.registrationTimedOut(trx, work, now),
  );
  scheduler.register(HANDSHAKE_ACKNOWLEDGEMENT_WORK, (trx, work, now) =>
    lifecycle.acknowledgementDue(trx, work, now),
  );
  // Measurements read the depot through the microgrid's contract, never its tables.
  scheduler.register(
    MEASUREMENT_WORK,
    (trx, work, now) =>
      publishMeasurements(
        trx,
        work,
        now,
        (trx, scopeId, from, to) => microgrid.queries.scopeMetering(scopeId, from, to, trx),
        maxDeliveryAttempts,
      ),
    { batchable: true },
  );
  registerMeasurementRoutes(http, { measurements: new MeasurementHistory(db) });
  const retention = options.oscp?.retention ?? {
    heartbeatHours: 24,
    recordDays: 30,
    measurementDays: 400,
  };
  scheduler.register(
    RETENTION_WORK,
    async (trx, work, now) => {
      const pruned = await pruneOscpRecords(trx, work, now, retention);
      if (Object.values(pruned).some((n) => n > 0)) log.info(pruned, 'pruned expired OSCP records');
    },
    { batchable: true },
  );

  const ocpp = registerOcpp(http, scheduler, {
    db,
    clock,
    log,
    publicUrl: () => publicUrl,
    ...(options.ocpp ? { options: options.ocpp } : {}),
  });

  await http.ready();
  return {
    http,
    scheduler,
    metrics,
    microgrid,
    oscp: {
      connections,
      lifecycle,
      dispatcher,
      control,
      handler,
      breachCompliance,
      startRetention: (now) =>
        scheduleWork(db, { kind: RETENTION_WORK, key: 'oscp', dueAt: now }, now),
    },
    ocpp,
    secrets,
    setPublicUrl(url) {
      if (!options.oscp?.publicUrl) publicUrl = url.replace(/\/+$/, '');
    },
    async settle() {
      for (let round = 0; round < 20; round += 1) {
        const work = await scheduler.runDue();
        const sent = await dispatcher.runDue();
        const limits = await ocpp.sender.runDue();
        if (work === 0 && sent === 0 && limits === 0) return;
      }
    },
  };
}
