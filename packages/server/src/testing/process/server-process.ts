import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../..');
const main = join(repoRoot, 'packages', 'server', 'src', 'main.ts');

export const ADMIN_PASSWORD = 'process-test-admin';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Polls a condition in real time (for real processes), bounded by a deadline. */
export async function waitUntil<T>(
  check: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (performance.now() > deadline) throw new Error(`Gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts the real product (`main.ts`) as a child process and waits for its banner. */
export async function startServer(options: {
  port: number;
  dataDir?: string;
  databaseUrl?: string;
  env?: Record<string, string>;
}): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'openvelope-process-'));
  // Node itself with tsx as a loader (not the tsx wrapper): the signal must reach the server.
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(options.port),
      DATA_DIR: dataDir,
      DATABASE_URL: options.databaseUrl ?? '',
      ADMIN_PASSWORD,
      DEMO: 'false',
      LOG_LEVEL: 'warn',
      SCHEDULER_POLL_MS: '100',
      DISPATCHER_POLL_MS: '100',
      OSCP_REQUEST_TIMEOUT_MS: '2000',
      OSCP_RETRY_BASE_DELAY_MS: '200',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  await waitUntil(
    async () => output.includes('Openvelope is running') || child.exitCode !== null,
    'the server banner',
    60_000,
  );
  if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
  return {
    url: `http://127.0.0.1:${options.port}`,
    child,
    output: () => output,
    async kill(signal) {
      if (child.exitCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Signs in as admin and returns a small JSON client for the management API. */
export async function adminClient(url: string) {
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  if (!login.ok) throw new Error(`sign-in failed: ${login.status}`);
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}
