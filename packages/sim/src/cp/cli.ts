import { parseArgs } from 'node:util';
import pino from 'pino';
import { CapacityProviderSimulator } from './simulator';
import { ACKNOWLEDGEMENT_PATHS, type PeerConfig } from './types';

export const CP_USAGE = `Capacity Provider simulator (OSCP 2.0)

  cp start [--port 9100] [--host 127.0.0.1] [--public-url URL] [--allow-remote-control]
           [--auto-heartbeats] [--auto-handshake] [peer options: adds one peer at start]
           Runs until Ctrl-C. OSCP base URL: <url>/oscp/cp/2.0, OAuth: <url>/oauth/token,
           control API: <url>/control/.

  Every other command calls the control API of a running simulator:
  --url http://127.0.0.1:9100 (or CP_SIM_URL). Output is JSON.

  cp state
  cp messages [--endpoint heartbeat] [--peer ID] [--outbound] [--limit N]
  cp clear-messages
  cp add-peer --group G --mode OSCP_TOKEN|VECTOR [peer options]
  cp remove-peer --peer ID
  cp register --peer ID
  cp handshake --peer ID [--heartbeat 30] [--measurement CONTINUOUS|INTERMITTENT]...
  cp ack --peer ID                          acknowledge the FP's latest handshake
  cp heartbeats start|stop|resume|send --peer ID [--interval 30] [--multiplier 2]
  cp forecast --peer ID (--capacity 100 | --zero) [--unit KW] [--type CONSUMPTION]
              [--phase ALL] [--hours 24] [--block-minutes 15] [--from ISO-TIME]
              [--gap-after-hours H [--gap-minutes 60]]
  cp forecast-schedule start|stop|run --peer ID [--every-minutes 15] [--hours 24]
              [--block-minutes 15] (--capacity 100 | --zero) [--unit KW] [--type CONSUMPTION]
              [--fallback CAPACITY] [--gap-after-hours H [--gap-minutes 60]]
  cp fault [--endpoint heartbeat|*|oauth_token] [--peer ID] [--status 503] [--delay 2000]
           [--message TEXT] [--times N]
  cp faults [list|clear]

  Peer options: --fp-base-url URL --initial-token-for-fp T --initial-token-from-fp T
    --client-id ID --client-secret S --fp-token-url URL (VECTOR)
    --expect-header name=value ... --send-header name=value ...
    --heartbeat SECONDS --measurement CONTINUOUS|INTERMITTENT ...
    --auto-handshake --auto-heartbeats --require-handshake --no-auto-register-back --no-auto-ack
    Like some real peers: --relative-base-url --ack-path handshake_acknowledgment
    --local-times --no-heartbeats
  Peers may be named by peer id or group id.
`;

const OPTIONS = {
  url: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'public-url': { type: 'string' },
  'allow-remote-control': { type: 'boolean' },
  peer: { type: 'string' },
  endpoint: { type: 'string' },
  outbound: { type: 'boolean' },
  limit: { type: 'string' },
  group: { type: 'string' },
  mode: { type: 'string' },
  'fp-base-url': { type: 'string' },
  'initial-token-for-fp': { type: 'string' },
  'initial-token-from-fp': { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  'fp-token-url': { type: 'string' },
  'expect-header': { type: 'string', multiple: true },
  'send-header': { type: 'string', multiple: true },
  heartbeat: { type: 'string' },
  measurement: { type: 'string', multiple: true },
  'auto-handshake': { type: 'boolean' },
  'auto-heartbeats': { type: 'boolean' },
  'require-handshake': { type: 'boolean' },
  'no-auto-register-back': { type: 'boolean' },
  'no-auto-ack': { type: 'boolean' },
  'relative-base-url': { type: 'boolean' },
  'ack-path': { type: 'string' },
  'local-times': { type: 'boolean' },
  'no-heartbeats': { type: 'boolean' },
  interval: { type: 'string' },
  multiplier: { type: 'string' },
  capacity: { type: 'string' },
  unit: { type: 'string' },
  type: { type: 'string' },
  phase: { type: 'string' },
  hours: { type: 'string' },
  'block-minutes': { type: 'string' },
  'every-minutes': { type: 'string' },
  from: { type: 'string' },
  zero: { type: 'boolean' },
  fallback: { type: 'string' },
  'gap-after-hours': { type: 'string' },
  'gap-minutes': { type: 'string' },
  status: { type: 'string' },
  delay: { type: 'string' },
  message: { type: 'string' },
  times: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>
>['values'];

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
}

const defaultIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

/** A mistake on the command line: printed with a hint, exit code 2. */
class UsageError extends Error {}

/** Runs `cp <command> …`; resolves with the exit code (`start` resolves when stopped). */
export async function runCpCli(args: string[], io: CliIo = defaultIo): Promise<number> {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n\n${CP_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, sub] = positionals;
  if (!command || command === 'help' || values.help) {
    io.stdout(CP_USAGE);
    return 0;
  }
  try {
    if (command === 'start') return await start(values, io);
    const api = new ControlClient(values.url ?? io.env.CP_SIM_URL ?? 'http://127.0.0.1:9100');
    const result = await runCommand(api, command, sub, values);
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    return notDelivered(result) ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`${error.message}\n(npm run sim -- cp help)\n`);
      return 2;
    }
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

async function runCommand(
  api: ControlClient,
  command: string,
  sub: string | undefined,
  v: Values,
): Promise<unknown> {
  const peerPath = () => `/control/peers/${encodeURIComponent(required(v.peer, '--peer'))}`;
  switch (command) {
    case 'state':
      return api.call('GET', '/control/state');
    case 'messages': {
      const query = new URLSearchParams();
      if (v.endpoint) query.set('endpoint', v.endpoint);
      if (v.peer) query.set('peer', v.peer);
      if (v.outbound) query.set('direction', 'outbound');
      if (v.limit) query.set('limit', v.limit);
      const qs = query.toString();
      return api.call('GET', `/control/messages${qs ? `?${qs}` : ''}`);
    }
    case 'clear-messages':
      return api.call('DELETE', '/control/messages');
    case 'add-peer':
      return api.call('POST', '/control/peers', peerConfig(v));
    case 'remove-peer':
      return api.call('DELETE', peerPath());
    case 'register':
      return api.call('POST', `${peerPath()}/register`, {});
    case 'handshake':
      return api.call('POST', `${peerPath()}/handshake`, {
        ...optionalNumber('heartbeatIntervalSeconds', v.heartbeat, '--heartbeat'),
        ...(v.measurement ? { measurementConfiguration: v.measurement } : {}),
      });
    case 'ack':
      return api.call('POST', `${peerPath()}/handshake/acknowledge`, {});
    case 'heartbeats':
      switch (sub) {
        case 'start':
          return api.call('POST', `${peerPath()}/heartbeats`, {
            intervalSeconds: number(required(v.interval, '--interval'), '--interval'),
            ...optionalNumber('offlineMultiplier', v.multiplier, '--multiplier'),
          });
        case 'stop':
          return api.call('DELETE', `${peerPath()}/heartbeats`);
        case 'resume':
          return api.call('POST', `${peerPath()}/heartbeats/resume`, {});
        case 'send':
          return api.call('POST', `${peerPath()}/heartbeats/send`, {
            ...optionalNumber('intervalSeconds', v.interval, '--interval'),
            ...optionalNumber('offlineMultiplier', v.multiplier, '--multiplier'),
          });
        default:
          throw new UsageError('heartbeats needs start, stop, resume or send');
      }
    case 'forecast': {
      const horizon = {
        ...(v.from ? { from: v.from } : {}),
        ...optionalNumber('hours', v.hours, '--hours'),
        ...optionalNumber('blockMinutes', v['block-minutes'], '--block-minutes'),
        ...(v.unit ? { unit: v.unit } : {}),
        ...(v.phase ? { phase: v.phase } : {}),
        ...(v.type ? { type: v.type } : {}),
        ...optionalNumber('gapAfterHours', v['gap-after-hours'], '--gap-after-hours'),
        ...optionalNumber('gapMinutes', v['gap-minutes'], '--gap-minutes'),
      };
      const body = v.zero
        ? { zero: horizon }
        : {
            rolling: {
              ...horizon,
              capacity: number(required(v.capacity, '--capacity'), '--capacity'),
            },
          };
      return api.call('POST', `${peerPath()}/forecasts`, body);
    }
    case 'forecast-schedule':
      switch (sub) {
        case 'start':
          return api.call('POST', `${peerPath()}/forecast-schedule`, {
            ...optionalNumber('everyMinutes', v['every-minutes'], '--every-minutes'),
            ...optionalNumber('hours', v.hours, '--hours'),
            ...optionalNumber('blockMinutes', v['block-minutes'], '--block-minutes'),
            ...(v.zero
              ? { zero: true }
              : { capacity: number(required(v.capacity, '--capacity'), '--capacity') }),
            ...(v.unit ? { unit: v.unit } : {}),
            ...(v.phase ? { phase: v.phase } : {}),
            ...(v.type ? { type: v.type } : {}),
            ...(v.fallback
              ? { includeFallback: { capacity: number(v.fallback, '--fallback') } }
              : {}),
            ...optionalNumber('gapAfterHours', v['gap-after-hours'], '--gap-after-hours'),
            ...optionalNumber('gapMinutes', v['gap-minutes'], '--gap-minutes'),
          });
        case 'stop':
          return api.call('DELETE', `${peerPath()}/forecast-schedule`);
        case 'run':
          return api.call('POST', `${peerPath()}/forecast-schedule/run`, {});
        default:
          throw new UsageError('forecast-schedule needs start, stop or run');
      }
    case 'fault':
      return api.call('POST', '/control/faults', {
        ...(v.endpoint ? { endpoint: v.endpoint } : {}),
        ...(v.peer ? { peerId: v.peer } : {}),
        ...optionalNumber('status', v.status, '--status'),
        ...optionalNumber('delayMs', v.delay, '--delay'),
        ...(v.message ? { message: v.message } : {}),
        ...optionalNumber('times', v.times, '--times'),
      });
    case 'faults':
      if (sub === 'clear') return api.call('DELETE', '/control/faults');
      if (sub === undefined || sub === 'list') return api.call('GET', '/control/faults');
      throw new UsageError('faults takes list or clear');
    default:
      throw new UsageError(`unknown command: cp ${command}`);
  }
}

function peerConfig(v: Values): PeerConfig {
  const mode = required(v.mode, '--mode');
  if (mode !== 'OSCP_TOKEN' && mode !== 'VECTOR') {
    throw new UsageError('--mode must be OSCP_TOKEN or VECTOR');
  }
  const config: PeerConfig = { groupId: required(v.group, '--group'), mode };
  if (v['fp-base-url']) config.fpBaseUrl = v['fp-base-url'];
  if (v['initial-token-for-fp']) config.initialTokenForFp = v['initial-token-for-fp'];
  if (v['initial-token-from-fp']) config.initialTokenFromFp = v['initial-token-from-fp'];
  if (v['client-id'] || v['client-secret'] || v['fp-token-url']) {
    config.oauth = {
      clientId: required(v['client-id'], '--client-id'),
      clientSecret: required(v['client-secret'], '--client-secret'),
      ...(v['fp-token-url'] ? { fpTokenUrl: v['fp-token-url'] } : {}),
    };
  }
  if (v['expect-header']) config.expectedStaticHeaders = headerPairs(v['expect-header']);
  if (v['send-header']) config.staticHeadersToSend = headerPairs(v['send-header']);
  if (v.heartbeat) config.heartbeatIntervalSeconds = number(v.heartbeat, '--heartbeat');
  if (v.measurement) {
    config.measurementConfiguration = v.measurement as PeerConfig['measurementConfiguration'];
  }
  if (v['auto-handshake']) config.autoHandshakeAfterRegister = true;
  if (v['auto-heartbeats']) config.autoHeartbeats = true;
  if (v['require-handshake']) config.requireHandshake = true;
  if (v['no-auto-register-back']) config.autoRegisterBack = false;
  if (v['no-auto-ack']) config.autoAcknowledge = false;
  if (v['relative-base-url']) config.relativeBaseUrl = true;
  if (v['ack-path']) {
    const path = v['ack-path'];
    if (!(ACKNOWLEDGEMENT_PATHS as readonly string[]).includes(path))
      throw new UsageError(`--ack-path must be one of ${ACKNOWLEDGEMENT_PATHS.join(', ')}`);
    config.acknowledgementPath = path as PeerConfig['acknowledgementPath'];
  }
  if (v['local-times']) config.localTimes = true;
  if (v['no-heartbeats']) config.sendsHeartbeats = false;
  return config;
}

async function start(v: Values, io: CliIo): Promise<number> {
  const log = pino({ level: io.env.LOG_LEVEL ?? 'info', base: { component: 'cp-simulator' } });
  const sim = new CapacityProviderSimulator({
    log,
    ...(v['auto-heartbeats'] ? { autoHeartbeats: true } : {}),
    ...(v['auto-handshake'] ? { autoHandshakeAfterRegister: true } : {}),
    ...(v['allow-remote-control'] ? { allowRemoteControl: true } : {}),
  });
  const { url } = await sim.start({
    port: v.port === undefined ? 9100 : number(v.port, '--port'),
    host: v.host ?? '127.0.0.1',
    ...(v['public-url'] ? { publicUrl: v['public-url'] } : {}),
  });
  const lines = [
    '',
    `  Capacity Provider simulator: ${url}`,
    `  OSCP 2.0 base URL:           ${sim.oscpBaseUrl}`,
    `  OAuth token endpoint:        ${sim.tokenUrl}`,
    `  Control API:                 ${url}/control/state`,
  ];
  if (v.group) {
    const id = sim.addPeer(peerConfig(v));
    const peer = sim.peer(id);
    lines.push(`  Peer ${id} for group ${peer.groupId} (${peer.mode})`);
    if (peer.tokens.initialTokenForFp) {
      lines.push(`  Initial token for the FP:    ${peer.tokens.initialTokenForFp}`);
    }
  }
  lines.push('  Press Ctrl-C to stop.', '');
  io.stdout(`${lines.join('\n')}\n`);
  return new Promise<number>((resolve) => {
    const shutdown = () => {
      process.off('SIGINT', shutdown);
      process.off('SIGTERM', shutdown);
      sim.stop().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  });
}

/** The control API over HTTP; `{message}` errors become thrown Errors. */
class ControlClient {
  constructor(private readonly baseUrl: string) {}

  async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      const cause =
        error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      throw new Error(`cannot reach the CP simulator at ${this.baseUrl}${cause}`, { cause: error });
    }
    const text = await response.text();
    const json: unknown = text ? safeJson(text) : { ok: true };
    if (!response.ok) {
      const message =
        typeof json === 'object' && json !== null && 'message' in json
          ? String(json.message)
          : text;
      throw new Error(`${method} ${path} answered ${response.status}: ${message}`);
    }
    return json;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** An action whose OSCP message did not get a 2xx: the command fails (exit code 1). */
function notDelivered(result: unknown): boolean {
  if (typeof result !== 'object' || result === null) return false;
  const outcomes =
    'outcome' in result
      ? [result.outcome]
      : 'outcomes' in result && Array.isArray(result.outcomes)
        ? result.outcomes
        : [];
  return outcomes.some(
    (o: unknown) =>
      typeof o === 'object' && o !== null && 'status' in o && o.status !== 'delivered',
  );
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} is required`);
  return value;
}

function number(text: string, flag: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag} must be a number`);
  return n;
}

function optionalNumber(
  key: string,
  text: string | undefined,
  flag: string,
): Record<string, number> {
  return text === undefined ? {} : { [key]: number(text, flag) };
}

function headerPairs(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`header ${JSON.stringify(pair)} must be name=value`);
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  return out;
}
