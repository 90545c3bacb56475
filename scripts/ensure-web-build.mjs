// Builds the console before `npm start` when its bundle is missing or older than its sources.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const web = new URL('../packages/web/', import.meta.url).pathname;
const bundle = join(web, 'dist', 'index.html');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const sources = Math.max(
  newestMtime(join(web, 'src')),
  ...['index.html', 'vite.config.ts'].map((f) => statSync(join(web, f)).mtimeMs),
);
if (!existsSync(bundle) || statSync(bundle).mtimeMs < sources) {
  console.log('Building the console (packages/web)…');
  execSync('npm run build --workspace @openvelope/web', { stdio: 'inherit' });
}
