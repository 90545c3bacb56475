import { parseArgs } from 'node:util';

export const DEPOT_USAGE = `Depot simulator (OCPP 1.6-J charge points; \`npm start\` runs one with the demo)

  Every command calls the control API of a running depot simulator:
  --url http://127.0.0.1:8082 (or DEPOT_SIM_URL; the demo's is PORT + 2). Output is JSON.

  depot state                                   every charge point: charging, limit, current, behaviour
  depot ignore --charge-point ID                its vehicle ignores its allocation (draws its maximum)
  depot stuck --charge-point ID --current A     the charger delivers a fixed current whatever its limit
  depot obey --charge-point ID                  back to following its limit
`;

export interface DepotCliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
}

const defaultIo: DepotCliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

const OPTIONS = {
  url: { type: 'string' },
  'charge-point': { type: 'string' },
  current: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs `depot <command> …`; resolves with the exit code (2: a usage mistake, 1: it failed). */
export async function runDepotCli(args: string[], io: DepotCliIo = defaultIo): Promise<number> {
  let values: { url?: string; 'charge-point'?: string; current?: string; help?: boolean };
  let command: string | undefined;
  try {
    const parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
    values = parsed.values;
    command = parsed.positionals[0];
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n\n${DEPOT_USAGE}`);
    return 2;
  }
  if (!command || command === 'help' || values.help) {
    io.stdout(DEPOT_USAGE);
    return 0;
  }
  const base = (values.url ?? io.env.DEPOT_SIM_URL ?? 'http://127.0.0.1:8082').replace(/\/+$/, '');
  let request: { method: string; path: string; body?: unknown };
  if (command === 'state') request = { method: 'GET', path: '/control/state' };
  else if (command === 'ignore' || command === 'stuck' || command === 'obey') {
    const id = values['charge-point'];
    if (!id) return usage(io, '--charge-point is required');
    const current = values.current === undefined ? undefined : Number(values.current);
    if (command === 'stuck' && (current === undefined || !Number.isFinite(current)))
      return usage(io, '--current must be a number of amperes');
    request = {
      method: 'POST',
      path: `/control/charge-points/${encodeURIComponent(id)}/behaviour`,
      body:
        command === 'stuck'
          ? { behaviour: 'STUCK', currentA: current }
          : { behaviour: command === 'ignore' ? 'IGNORE_LIMIT' : 'OBEY' },
    };
  } else return usage(io, `unknown command: depot ${command}`);

  let response: Response;
  try {
    response = await fetch(`${base}${request.path}`, {
      method: request.method,
      ...(request.body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(request.body) }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    const cause =
      error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    io.stderr(`cannot reach the depot simulator at ${base}${cause}\n`);
    return 1;
  }
  const text = await response.text();
  if (!response.ok) {
    io.stderr(`${request.method} ${request.path} answered ${response.status}: ${text}\n`);
    return 1;
  }
  io.stdout(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
  return 0;
}

function usage(io: DepotCliIo, message: string): number {
  io.stderr(`${message}\n(npm run sim -- depot help)\n`);
  return 2;
}
