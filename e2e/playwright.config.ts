import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';

/** Journeys run against the real product: server + console + simulators on a fresh embedded database. */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 8181);
export const ADMIN_PASSWORD = 'e2e-admin-password';
/** The demo Capacity Provider simulator listens next to the server (PORT + 1). */
export const CP_SIMULATOR_URL = `http://127.0.0.1:${E2E_PORT + 1}`;
/** The demo depot simulator's control API (breach scenarios) is at PORT + 2. */
export const DEPOT_SIMULATOR_URL = `http://127.0.0.1:${E2E_PORT + 2}`;
const dataDir = mkdtempSync(join(tmpdir(), 'openvelope-e2e-'));

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json']],
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    command: 'node ../scripts/ensure-web-build.mjs && npx tsx ../packages/server/src/main.ts',
    url: `http://127.0.0.1:${E2E_PORT}/readyz`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    env: {
      PORT: String(E2E_PORT),
      DATA_DIR: dataDir,
      ADMIN_PASSWORD,
      LOG_LEVEL: 'warn',
      DEPOT_SIM_SCHEDULE: 'false',
      DEPOT_SIM_TICK_MS: '1000',
      // Fast heartbeats so going offline and coming back take seconds.
      DEMO_CP_HEARTBEAT_S: '2',
    },
  },
});
