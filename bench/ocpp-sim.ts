/**
 * The depot for the OCPP benchmark (ocpp.ts): the product's simulated OCPP 1.6-J charge points
 * (packages/sim), one per charger, in a process of its own. Each boots, starts a transaction for
 * the vehicle plugged into it, and sends MeterValues every BENCH_OCPP_METER_S seconds (spread
 * evenly), answering every SetChargingProfile; the time of each answer is recorded.
 *
 * Commands on stdin (one JSON object a line, answered by {"reply": id, ...}):
 *   {"id", "cmd": "connect", "url", "chargers": [{chargePointId, password}]}
 *   {"id", "cmd": "await", "limitA", "sinceMs", "timeoutMs"}  waits until every charge point has
 *       answered a TxProfile of limitA at or after sinceMs; replies with each one's answer time.
 *   {"id", "cmd": "stats"}
 */
import { createInterface } from 'node:readline';
import { SimulatedChargePoint } from '../packages/sim/src/index';

const meterSeconds = Number(process.env.BENCH_OCPP_METER_S ?? 10);
const CONNECT_BATCH = 50;
const clock = { now: () => new Date(Date.now()) };

interface Answered {
  limitA: number;
  atMs: number;
}

const points: SimulatedChargePoint[] = [];
const lastTxAnswer = new Map<string, Answered>();
let meterErrors = 0;
let meterSent = 0;

function emit(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function connect(url: string, chargers: { chargePointId: string; password: string }[]) {
  for (let start = 0; start < chargers.length; start += CONNECT_BATCH) {
    await Promise.all(
      chargers.slice(start, start + CONNECT_BATCH).map(async (c, i) => {
        const cp = new SimulatedChargePoint({
          endpoint: url,
          chargePointId: c.chargePointId,
          password: c.password,
          phases: 3,
          maxCurrentA: 32,
          clock,
          onProfileAnswered: ({ purpose, limitA, status }) => {
            if (purpose === 'TxProfile' && status === 'Accepted')
              lastTxAnswer.set(c.chargePointId, { limitA, atMs: Date.now() });
          },
        });
        points.push(cp);
        await cp.start({
          label: `Bus ${start + i + 1}`,
          idTag: `BUS${start + i + 1}`,
          maxCurrentA: 32,
          // Large enough never to fill up during a run.
          batteryWh: 10_000_000,
        });
      }),
    );
  }
  // Meter values every meterSeconds from each, spread evenly over the interval.
  points.forEach((cp, i) => {
    setTimeout(
      () => {
        const tick = () =>
          cp
            .tick()
            .then(() => (meterSent += 1))
            .catch(() => (meterErrors += 1));
        void tick();
        setInterval(tick, meterSeconds * 1000).unref();
      },
      (i * meterSeconds * 1000) / points.length,
    ).unref();
  });
}

async function awaitLimit(limitA: number, sinceMs: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const done = points.filter((cp) => {
      const a = lastTxAnswer.get(cp.chargePointId);
      return a && a.limitA === limitA && a.atMs >= sinceMs;
    });
    if (done.length === points.length || Date.now() > deadline) {
      return {
        answeredAtMs: done.map((cp) => lastTxAnswer.get(cp.chargePointId)!.atMs),
        missing: points.length - done.length,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

createInterface({ input: process.stdin })
  .on('line', (text) => {
    const command = JSON.parse(text) as Record<string, unknown> & { id: string; cmd: string };
    const run = async () => {
      if (command.cmd === 'connect') {
        await connect(command.url as string, command.chargers as never);
        emit({ reply: command.id, connected: points.length });
      } else if (command.cmd === 'await') {
        const result = await awaitLimit(
          command.limitA as number,
          command.sinceMs as number,
          command.timeoutMs as number,
        );
        emit({ reply: command.id, ...result });
      } else if (command.cmd === 'stats') {
        emit({
          reply: command.id,
          meterSent,
          meterErrors,
          rssMiB: Math.round(process.memoryUsage().rss / 1048576),
        });
      }
    };
    run().catch((error: unknown) => emit({ reply: command.id, error: String(error) }));
  })
  .on('close', () => {
    void Promise.all(points.map((cp) => cp.stop())).finally(() => process.exit(0));
  });
process.on('SIGTERM', () => process.exit(0));
emit({ ready: true, pid: process.pid });
