import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OcppDepotSimulator } from '@openvelope/sim';
import { createApp } from './app';
import { systemClock } from './platform/clock';
import { ConfigError, loadConfig } from './platform/config';
import { openDatabase } from './platform/db/database';
import { schedulerWorkersFor } from './platform/scheduler/scheduler';
import { migrateToLatest } from './platform/db/migrator';
import { createLogger } from './platform/logging';
import { ensureAdmin } from './platform/auth/bootstrap';
import { loadSecretsKey } from './platform/secrets/secret-store';
import { startDemoCapacityProvider } from './seed/demo-capacity-provider';
import { seedDemoDepot } from './seed/demo-depot';
import { provisionDemoChargePoints } from './seed/demo-ocpp';

/** The demo switchboard's breach hold time: a breach shows (and ends) within a minute. */
const DEMO_BREACH_HOLD_SECONDS = 20;

/** Composition root: configuration, database, migrations, first-run setup, HTTP, due work, simulators. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  const clock = systemClock;

  const database = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
  });
  log.info({ 'db.system': database.engine }, 'database opened');
  await migrateToLatest(database.db);

  const admin = await ensureAdmin(database.db, clock, config.ADMIN_PASSWORD);
  const webDistDir =
    config.WEB_DIST_DIR ?? resolve(fileURLToPath(new URL('.', import.meta.url)), '../../web/dist');
  const secretsKey = loadSecretsKey(
    config.SECRETS_KEY,
    config.SECRETS_KEY_FILE ?? join(config.DATA_DIR, 'secrets.key'),
    (m) => log.warn(m),
  );
  const app = await createApp({
    secretsKey,
    db: database.db,
    clock,
    log,
    webDistDir,
    sessionTtlHours: config.SESSION_TTL_HOURS,
    loginFailuresPerMinute: config.LOGIN_RATE_LIMIT_PER_MINUTE,
    secureCookies: (config.PUBLIC_URL ?? '').startsWith('https://'),
    publicUrl: config.PUBLIC_URL,
    trustProxy: config.TRUST_PROXY,
    metricsToken: config.METRICS_TOKEN,
    meterReadingRetentionDays: config.METER_READING_RETENTION_DAYS,
    envelopeRetentionDays: config.ENVELOPE_RETENTION_DAYS,
    oscp: {
      ...(config.PUBLIC_URL ? { publicUrl: config.PUBLIC_URL } : {}),
      requestTimeoutMs: config.OSCP_REQUEST_TIMEOUT_MS,
      maxDeliveryAttempts: config.OSCP_MAX_DELIVERY_ATTEMPTS,
      forecastConcurrency: config.OSCP_FORECAST_CONCURRENCY,
      retryBaseDelayMs: config.OSCP_RETRY_BASE_DELAY_MS,
      registrationReplyTimeoutMs: config.OSCP_REGISTRATION_REPLY_TIMEOUT_S * 1000,
      handshakeAcknowledgementTimeoutMs: config.OSCP_HANDSHAKE_ACK_TIMEOUT_SECONDS * 1000,
      retention: {
        heartbeatHours: config.OSCP_HEARTBEAT_RETENTION_HOURS,
        recordDays: config.OSCP_RECORD_RETENTION_DAYS,
        measurementDays: config.OSCP_MEASUREMENT_RETENTION_DAYS,
      },
    },
    ocpp: {
      heartbeatIntervalS: config.OCPP_HEARTBEAT_INTERVAL_S,
      callTimeoutMs: config.OCPP_CALL_TIMEOUT_MS,
      deadbandA: config.OCPP_LIMIT_DEADBAND_A,
    },
  });
  const demo = config.DEMO
    ? // The demo's vehicles plug in over OCPP: the simulated charge points start their transactions.
      await seedDemoDepot(database.db, app.microgrid, clock.now(), {
        startSessions: false,
        breachHoldSeconds: DEMO_BREACH_HOLD_SECONDS,
      })
    : undefined;

  const address = await app.http.listen({ port: config.PORT, host: config.HOST });
  app.setPublicUrl(address);
  const consoleUrl = config.PUBLIC_URL ?? address.replace('127.0.0.1', 'localhost');

  const stoppers: (() => Promise<void>)[] = [];
  const demoLines: string[] = [];
  if (config.DEMO) {
    const ocppUrl = `${address.replace(/^http/, 'ws')}/ocpp`;
    const sim = new OcppDepotSimulator({
      endpoint: ocppUrl,
      chargers: await provisionDemoChargePoints(app),
      tickMs: config.DEPOT_SIM_TICK_MS,
      sessionSchedule: config.DEPOT_SIM_SCHEDULE,
      log: log.child({ component: 'depot-simulator' }),
    });
    await sim.start();
    stoppers.push(() => sim.stop());
    const depotControl = await sim.listen({
      port: config.DEMO_DEPOT_SIM_PORT ?? config.PORT + 2,
      host: '127.0.0.1',
    });
    demoLines.push(
      `  Depot simulator: ${sim.chargePoints.length} OCPP 1.6-J charge points on ${ocppUrl}/{id}`,
      `    scenarios: npm run sim -- depot ignore|stuck|obey --charge-point DEMO-BAY-01 --url ${depotControl}`,
    );
    const demoScope = demo?.seeded
      ? { microgridId: demo.microgridId!, scopeId: demo.scopeId! }
      : undefined;
    const cp = await startDemoCapacityProvider({
      app,
      db: database.db,
      clock,
      log: log.child({ component: 'cp-simulator' }),
      port: config.DEMO_CP_PORT ?? config.PORT + 1,
      heartbeatIntervalSeconds: config.DEMO_CP_HEARTBEAT_S,
      scope: demoScope,
    });
    stoppers.push(() => cp.sim.stop());
    demoLines.push(
      `  Capacity Provider simulator: ${cp.sim.url} (control API ${cp.sim.url}/control/state)`,
    );
    if (cp.connectionId)
      demoLines.push(
        `  Demo OSCP connection: ${consoleUrl}/connections/${cp.connectionId} (enable it to watch it come online)`,
      );
  }

  // Due work and deliveries start last: the demo Capacity Provider listens before the first
  // message to it (a heartbeat due since the last run) goes out.
  app.scheduler.start(config.SCHEDULER_POLL_MS, schedulerWorkersFor(database.engine));
  app.oscp.dispatcher.start(config.DISPATCHER_POLL_MS);
  app.ocpp.sender.start(config.OCPP_LIMIT_POLL_MS);
  await app.oscp.startRetention(clock.now());
  await app.ocpp.startRetention(clock.now());
  await app.microgrid.startRetention(clock.now());

  const banner = [
    '',
    `  Openvelope is running: ${consoleUrl}`,
    `  API docs: ${consoleUrl}/api/docs`,
    admin.generatedPassword
      ? `  First start: sign in as "admin" with password ${admin.generatedPassword}\n  (shown once; only its hash is stored. Set ADMIN_PASSWORD to choose it.)`
      : admin.created
        ? '  First start: sign in as "admin" with the password from ADMIN_PASSWORD.'
        : '  Sign in with your account (the first-run admin is "admin").',
    ...demoLines,
    `  Database: ${database.engine === 'pglite' ? `embedded PGlite in ${resolve(config.DATA_DIR)}` : 'PostgreSQL (DATABASE_URL)'}`,
    '  Press Ctrl-C to stop.',
    '',
  ].join('\n');
  process.stdout.write(`${banner}\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    for (const stop of stoppers) await stop();
    await app.oscp.dispatcher.stop();
    await app.ocpp.sender.stop();
    await app.scheduler.stop();
    await app.http.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(
      `Openvelope failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
