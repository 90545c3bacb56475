/**
 * The Capacity Provider side of the forecast benchmark (forecast.ts): the product's simulator with
 * BENCH_FORECAST_PEERS OSCP_TOKEN peers, in a child process of its own. Each peer answers the FP's
 * Register with its own and then sends its Handshake (autoHandshakeAfterRegister). The peers ask
 * for no heartbeats and send none (autoHeartbeats off), so the FP's connections stay HANDSHAKEN
 * and the only traffic during the measurement is the benchmark's forecasts. With
 * BENCH_FORECAST_PEER_HEARTBEATS=1 they send heartbeats at the interval the FP asks for, so a
 * set-up that outlasts the FP's liveness checks (1,000 connections on PGlite) keeps them ONLINE.
 *
 * Prints {"ready": true, oscpBaseUrl, pid} when listening. Commands on stdin, one JSON object a
 * line, each answered by a line {"reply": id, ...}:
 *   {"id", "cmd": "state"}   how many peers are registered and handshaken.
 *   {"id", "cmd": "tokens"}  {tokens: {groupId: token}}: the token the FP issued each peer in its
 *                            Register (the credential a real peer sends as `Token <token>`).
 *
 * It stops on SIGTERM/SIGINT, when its stdin closes, or after BENCH_MAX_LIFETIME_SECONDS.
 */
import { createInterface } from 'node:readline';
import { CapacityProviderSimulator } from '@openvelope/sim';
import { forecastGroupIdFor, forecastInitialTokenFor } from './forecast-peers';

const peerCount = Number(process.env.BENCH_FORECAST_PEERS ?? 50);
const seed = process.env.BENCH_FORECAST_SEED ?? 'seed';
const maxLifetimeMs = Number(process.env.BENCH_MAX_LIFETIME_SECONDS ?? 3600) * 1000;
const peerHeartbeats = process.env.BENCH_FORECAST_PEER_HEARTBEATS === '1';

function write(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const warnings: string[] = [];
const sim = new CapacityProviderSimulator({
  autoHandshakeAfterRegister: true,
  autoHeartbeats: peerHeartbeats,
  requestTimeoutMs: 10_000,
  log: {
    info: () => {},
    warn: (obj, msg) => {
      if (warnings.length < 20) warnings.push(`${msg} ${JSON.stringify(obj)}`);
    },
  },
});

const peerIds = new Map<string, string>();

/** The token of the FP's latest accepted Register to each peer, by group id. */
function tokens(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [groupId, peerId] of peerIds) {
    const registers = sim
      .messages({ endpoint: 'register', peerId })
      .filter((m) => m.method !== 'DELETE' && m.status >= 200 && m.status < 300);
    const token = (registers.at(-1)?.body as { token?: unknown } | undefined)?.token;
    if (typeof token === 'string') out[groupId] = token;
  }
  return out;
}

function state() {
  const peers = sim.state().peers;
  return {
    peers: peers.length,
    registered: peers.filter((p) => p.registration.status === 'REGISTERED').length,
    handshaken: peers.filter((p) => p.handshake.handshaken).length,
    warnings,
  };
}

async function main(): Promise<void> {
  await sim.start({ port: 0, host: '127.0.0.1' });
  for (let i = 0; i < peerCount; i += 1) {
    const groupId = forecastGroupIdFor(i);
    peerIds.set(
      groupId,
      sim.addPeer({
        groupId,
        mode: 'OSCP_TOKEN',
        initialTokenForFp: forecastInitialTokenFor(seed, i),
        autoHandshakeAfterRegister: true,
        autoHeartbeats: peerHeartbeats,
      }),
    );
  }

  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`forecast simulator stopping: ${why}\n`);
    const force = setTimeout(() => process.exit(0), 10_000);
    force.unref();
    try {
      await sim.stop();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.stdin.on('end', () => void stop('parent gone'));
  process.stdin.on('error', () => void stop('parent gone'));
  setTimeout(() => void stop('maximum lifetime reached'), maxLifetimeMs).unref();

  createInterface({ input: process.stdin }).on('line', (line) => {
    let command: { id?: string; cmd?: string };
    try {
      command = JSON.parse(line) as typeof command;
    } catch {
      return;
    }
    const id = command.id ?? '';
    if (command.cmd === 'state') write({ reply: id, ...state() });
    else if (command.cmd === 'tokens') write({ reply: id, tokens: tokens() });
    else write({ reply: id, error: `unknown command ${String(command.cmd)}` });
  });

  write({ ready: true, oscpBaseUrl: sim.oscpBaseUrl, pid: process.pid });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `forecast simulator failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
