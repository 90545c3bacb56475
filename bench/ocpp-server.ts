/**
 * The central system under test for the OCPP benchmark (ocpp.ts), in a process of its own: the
 * whole app (createApp) on PostgreSQL (BENCH_DB_URL) or PGlite (BENCH_PGLITE_DIR), the system
 * clock, the scheduler and the OCPP limit sender polling as in production, listening on 127.0.0.1.
 *
 * Seed: one microgrid, one three-phase circuit of BENCH_OCPP_CHARGERS × 32 A per phase (every
 * charger gets its 32 A maximum until an envelope says less), one managed scope on it, and
 * BENCH_OCPP_CHARGERS three-phase 6–32 A chargers, each with an OCPP identity (BENCH-0001, …) and
 * a password issued through the product's ChargePointService. Then one JSON line on stdout:
 * {"ready": true, port, pid, chargers: [{chargePointId, password}]}.
 *
 * Commands on stdin, one JSON object a line, each answered by {"reply": id, ...}:
 *   {"id", "cmd": "envelope", "limitA"}  a new envelope of limitA per phase on the scope, replacing
 *                                        the previous one in one change (as a new forecast does);
 *                                        replies with when the change was committed.
 *   {"id", "cmd": "stats"}               connected chargers, RSS.
 * It stops on SIGTERM/SIGINT or when its stdin closes.
 */
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { createApp } from '../packages/server/src/app';
import { systemClock } from '../packages/server/src/platform/clock';
import { openPglite, openPostgres } from '../packages/server/src/platform/db/database';
import { migrateToLatest } from '../packages/server/src/platform/db/migrator';
import { createLogger } from '../packages/server/src/platform/logging';
import { schedulerWorkersFor } from '../packages/server/src/platform/scheduler/scheduler';

const chargerCount = Number(process.env.BENCH_OCPP_CHARGERS ?? 1000);
const pollMs = Number(process.env.BENCH_OCPP_POLL_MS ?? 200);
const SEED_CONCURRENCY = 8;

function emit(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(): Promise<void> {
  const database = process.env.BENCH_DB_URL
    ? await openPostgres(process.env.BENCH_DB_URL)
    : await openPglite(process.env.BENCH_PGLITE_DIR ?? 'memory://');
  await migrateToLatest(database.db);
  const app = await createApp({
    db: database.db,
    clock: systemClock,
    log: createLogger((process.env.BENCH_LOG_LEVEL as 'warn' | undefined) ?? 'warn'),
    secretsKey: randomBytes(32),
    ocpp: { heartbeatIntervalS: 300 },
  });
  const address = await app.http.listen({ port: 0, host: '127.0.0.1' });
  app.setPublicUrl(address);

  const now = systemClock.now();
  const microgrid = await app.microgrid.model.createMicrogrid(
    { name: 'OCPP bench depot', timezone: 'UTC' },
    now,
  );
  const circuitId = await app.microgrid.model.createCircuit(
    microgrid.id,
    { name: 'Main', phaseCount: 3, nominalVoltageV: 230, staticCapacityA: chargerCount * 32 },
    now,
  );
  const scopeId = await app.microgrid.model.createScope(
    microgrid.id,
    { name: 'Grid', circuitIds: [circuitId] },
    now,
  );
  const chargers: { chargePointId: string; password: string }[] = [];
  for (let start = 0; start < chargerCount; start += SEED_CONCURRENCY) {
    const batch = Array.from(
      { length: Math.min(SEED_CONCURRENCY, chargerCount - start) },
      (_, i) => start + i + 1,
    );
    chargers.push(
      ...(await Promise.all(
        batch.map(async (n) => {
          const name = `Bay ${String(n).padStart(4, '0')}`;
          const id = await app.microgrid.model.createCharger(
            circuitId,
            { name, phases: ['L1', 'L2', 'L3'], minCurrentA: 6, maxCurrentA: 32, priority: 0 },
            systemClock.now(),
          );
          const chargePointId = `BENCH-${String(n).padStart(4, '0')}`;
          await app.ocpp.chargePoints.assign(id, { chargePointId, connectorIds: [1] }, 'bench');
          const { password } = await app.ocpp.chargePoints.rotatePassword(id, 'bench');
          return { chargePointId, password };
        }),
      )),
    );
  }

  app.scheduler.start(250, schedulerWorkersFor(database.engine));
  app.ocpp.sender.start(pollMs);

  let current: string | undefined;
  const handle = async (command: { id: string; cmd: string; limitA?: number }) => {
    if (command.cmd === 'envelope') {
      const at = systemClock.now();
      const outcome = await database.db.transaction().execute((trx) =>
        app.microgrid.envelopes.changeWithin(
          trx,
          {
            submit: [
              {
                scopeId,
                source: `Bench ${command.limitA} A`,
                origin: { kind: 'MANUAL', by: 'bench' },
                blocks: [
                  {
                    start: at.toISOString(),
                    end: new Date(at.getTime() + 3_600_000).toISOString(),
                    importLimit: { value: command.limitA!, unit: 'A' },
                  },
                ],
              },
            ],
            withdraw: current ? [current] : [],
            by: 'bench',
          },
          at,
        ),
      );
      current = outcome.submitted[0]!.id;
      emit({ reply: command.id, committedAtMs: systemClock.now().getTime() });
    } else if (command.cmd === 'stats') {
      emit({
        reply: command.id,
        connected: app.ocpp.centralSystem.connectedCount,
        rssMiB: Math.round(process.memoryUsage().rss / 1048576),
      });
    } else emit({ reply: command.id, error: `unknown command ${command.cmd}` });
  };

  const stop = async () => {
    await app.ocpp.sender.stop();
    await app.scheduler.stop();
    await app.http.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  createInterface({ input: process.stdin })
    .on('line', (line) => {
      void handle(JSON.parse(line) as { id: string; cmd: string }).catch((error: unknown) =>
        emit({ reply: (JSON.parse(line) as { id: string }).id, error: String(error) }),
      );
    })
    .on('close', () => void stop());

  emit({
    ready: true,
    port: Number(new URL(address).port),
    pid: process.pid,
    chargers,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
