// `npm test`: every suite, then one closing line with the real totals.
//  1. unit + component tests (vitest) on embedded PGlite;
//  2. the same suites on PostgreSQL when TEST_DATABASE_URL names a server (CI sets it);
//  3. the Playwright journeys in Chromium (CHROMIUM_PATH, default /usr/bin/chromium).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const results = join(root, '.test-results');
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

const parts = [];

function run(label, command, args, env, readCounts) {
  console.log(`\n=== ${label} ===`);
  const outcome = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  let counts;
  try {
    counts = readCounts();
  } catch {
    counts = { passed: 0, failed: 0 };
  }
  // A runner that crashed or exited non-zero without reporting a failure still failed.
  if (outcome.status !== 0 && counts.failed === 0) counts.failed = 1;
  parts.push({ label, ...counts });
}

function vitest(label, file, env, extraArgs = []) {
  const output = join(results, file);
  run(
    label,
    'npx',
    [
      'vitest',
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${output}`,
      ...extraArgs,
    ],
    env,
    () => {
      const report = JSON.parse(readFileSync(output, 'utf8'));
      // A file that fails to load fails no test but fails the run: count it once.
      const failed = report.numFailedTests || (report.success ? 0 : 1);
      return { passed: report.numPassedTests, failed };
    },
  );
}

vitest('unit and component tests on PGlite', 'vitest-pglite.json', { DATABASE_URL: '' });

if (process.env.TEST_DATABASE_URL) {
  vitest(
    'component tests on PostgreSQL',
    'vitest-postgres.json',
    { DATABASE_URL: process.env.TEST_DATABASE_URL },
    ['packages/server'],
  );
}

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (existsSync(chromium)) {
  const output = join(results, 'e2e.json');
  run(
    'browser journeys (Playwright, Chromium)',
    'npx',
    ['playwright', 'test', '-c', 'e2e/playwright.config.ts'],
    { PLAYWRIGHT_JSON_OUTPUT_NAME: output, CHROMIUM_PATH: chromium },
    () => {
      const report = JSON.parse(readFileSync(output, 'utf8'));
      return {
        passed: report.stats.expected + report.stats.flaky,
        failed: report.stats.unexpected,
      };
    },
  );
} else {
  console.log(
    `\n=== browser journeys ===\nChromium not found at ${chromium}: install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH. Counted as a failure.`,
  );
  parts.push({ label: 'browser journeys (Chromium missing)', passed: 0, failed: 1 });
}

console.log('\n=== summary ===');
for (const p of parts) console.log(`${p.label}: ${p.passed} passed, ${p.failed} failed`);
const passed = parts.reduce((n, p) => n + p.passed, 0);
const failed = parts.reduce((n, p) => n + p.failed, 0);
const closing = `${passed} passed, ${failed} failed`;
writeFileSync(join(results, 'summary.txt'), `${closing}\n`);
console.log(closing);
process.exit(failed === 0 ? 0 : 1);
