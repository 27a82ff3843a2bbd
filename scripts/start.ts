import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../server/main';

/**
 * `npm start`: builds the dashboard when its sources are newer than the build,
 * then starts the server (broker, ingest, store, API, live push, simulator).
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const builtIndex = path.join(root, 'web/dist/index.html');

function newestMtime(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

const sources = ['web/src', 'web/index.html', 'web/vite.config.ts', 'shared', 'package-lock.json'].map((p) => path.join(root, p));
const builtAt = fs.existsSync(builtIndex) ? fs.statSync(builtIndex).mtimeMs : 0;
if (builtAt < Math.max(...sources.map(newestMtime))) {
  console.log('  Building the dashboard (web/dist)...');
  const { build } = await import('vite');
  await build({ configFile: path.join(root, 'web/vite.config.ts'), logLevel: 'warn' });
}
await main();
