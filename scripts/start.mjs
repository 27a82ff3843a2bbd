// @ts-check
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, buildServer } from './build-server.mjs';

/**
 * `npm start`: builds the dashboard when its sources are newer than the build,
 * bundles the server (scripts/build-server.mjs, a fraction of a second), then
 * runs it in this process (broker, ingest, store, API, live push, simulator).
 * Plain JavaScript on plain `node`: no TypeScript loader stays in the server.
 */
const builtIndex = path.join(ROOT, 'web/dist/index.html');

/** @param {string} p */
function newestMtime(p) {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

const sources = ['web/src', 'web/index.html', 'web/vite.config.ts', 'shared', 'package-lock.json'].map((p) => path.join(ROOT, p));
const builtAt = fs.existsSync(builtIndex) ? fs.statSync(builtIndex).mtimeMs : 0;
if (builtAt < Math.max(...sources.map(newestMtime))) {
  console.log('  Building the dashboard (web/dist)...');
  const { build } = await import('vite');
  await build({ configFile: path.join(ROOT, 'web/vite.config.ts'), logLevel: 'warn' });
}
const bundle = await buildServer();
// esbuild's service process is not needed any more (the SQLite writer thread bundles with buildSync, which starts its own).
(await import('esbuild')).stop();
// Source maps stay off: under load they cost the server 25 MB of RSS (docs/performance.md).
// The bundle is not minified and names each source file; `node --enable-source-maps` maps traces to TypeScript.
/** @type {{ main: () => Promise<void> }} */
const server = await import(pathToFileURL(bundle).href);
await server.main();
