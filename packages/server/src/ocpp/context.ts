import { randomUUID } from 'node:crypto';
import { ChargerIntegration } from '../microgrid/app/charger-integration';
import { ALLOCATIONS_CHANGED_WORK } from '../microgrid/app/capacity-refresh';
import type { Clock } from '../platform/clock';
import type { Db } from '../platform/db/database';
import type { HttpApp } from '../platform/http/server';
import type { Logger } from '../platform/logging';
import { scheduleWork, type Scheduler } from '../platform/scheduler/scheduler';
import { ChargePointService } from './app/charge-points';
import { ConnectionService } from './app/connections';
import { InboundService } from './app/inbound';
import { LimitPlanner, LimitSender } from './app/limits';
import { OCPP_LOG_RETENTION_WORK, pruneMessageLog } from './app/log-retention';
import { CentralSystem } from './http/central-system';
import { registerOcppRoutes } from './http/routes';

export interface OcppOptions {
  /** Identifies this process's connections in the database (random per start by default). */
  instanceId?: string;
  /** Heartbeat interval given to chargers at boot, s (60). */
  heartbeatIntervalS?: number;
  /** How long a charger may take to answer a call, ms (10,000). */
  callTimeoutMs?: number;
  /** Increases of a limit smaller than this are not sent, A (1). */
  deadbandA?: number;
  /** WebSocket ping interval, ms (30,000). */
  pingIntervalMs?: number;
}

export interface OcppContext {
  chargePoints: ChargePointService;
  centralSystem: CentralSystem;
  sender: LimitSender;
  planner: LimitPlanner;
  instanceId: string;
  /** Books the first message-log pruning (it then books itself). */
  startRetention(now: Date): Promise<void>;
}

/**
 * The OCPP 1.6-J context on the app's HTTP server and scheduler: the central system on
 * /ocpp/{id}, the management routes, the planner of limits (microgrid due work) and this
 * instance's sender (started with `sender.start`, or driven by `sender.runDue` in tests).
 */
export function registerOcpp(
  http: HttpApp,
  scheduler: Scheduler,
  deps: { db: Db; clock: Clock; log: Logger; publicUrl: () => string; options?: OcppOptions },
): OcppContext {
  const { db, clock } = deps;
  const log = deps.log.child({ component: 'ocpp' });
  const options = deps.options ?? {};
  const instanceId = options.instanceId ?? randomUUID();
  const heartbeatIntervalS = options.heartbeatIntervalS ?? 60;
  const integration = new ChargerIntegration();
  const connections = new ConnectionService(db, clock, integration, instanceId);
  const inbound = new InboundService(db, clock, integration, { heartbeatIntervalS });
  const centralSystem: CentralSystem = new CentralSystem({
    clock,
    log,
    connections,
    inbound,
    // The sender is made next: it needs this central system to reach chargers.
    sender: (): LimitSender => sender,
    callTimeoutMs: options.callTimeoutMs ?? 10_000,
    pingIntervalMs: options.pingIntervalMs ?? 30_000,
  });
  const sender: LimitSender = new LimitSender(
    db,
    clock,
    integration,
    centralSystem,
    instanceId,
    {
      deadbandA: options.deadbandA ?? 1,
      leaseMs: 3 * (options.callTimeoutMs ?? 10_000),
      batchSize: 500,
    },
    log,
  );
  const planner = new LimitPlanner(integration, { deadbandA: options.deadbandA ?? 1 });
  const chargePoints = new ChargePointService(db, clock, integration, { heartbeatIntervalS });

  http.server.on('upgrade', centralSystem.handleUpgrade);
  http.addHook('onClose', async () => {
    await centralSystem.close();
  });
  registerOcppRoutes(http, { chargePoints, publicUrl: deps.publicUrl });
  scheduler.register(ALLOCATIONS_CHANGED_WORK, async (trx, work, now) => {
    await planner.planCircuit(trx, work.key, now);
  });
  scheduler.register(
    OCPP_LOG_RETENTION_WORK,
    async (trx, work, now) => {
      const pruned = await pruneMessageLog(trx, work, now);
      if (pruned > 0) log.info({ pruned }, 'pruned old OCPP messages');
    },
    { batchable: true },
  );

  return {
    chargePoints,
    centralSystem,
    sender,
    planner,
    instanceId,
    startRetention: (now) =>
      scheduleWork(db, { kind: OCPP_LOG_RETENTION_WORK, key: 'all', dueAt: now }, now),
  };
}
