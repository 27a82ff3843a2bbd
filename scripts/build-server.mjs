// @ts-check
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * The server as users run it: server/main.ts and what it imports from server/,
 * shared/ and simulator/, bundled by esbuild into one ES module that plain
 * `node` runs. npm packages stay outside the bundle and load from node_modules.
 *
 * Why not run the TypeScript through tsx, as the tests do: tsx's loader lives in
 * a thread of its own, 35 MB of RSS in a server whose target is 300 MB
 * (docs/performance.md), and it compiles every file again at each start.
 * esbuild is the compiler tsx and the SQLite writer thread already use.
 */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SERVER_BUNDLE = path.join(ROOT, 'dist/server/main.mjs');

/**
 * Node's flags for the server (`npm start`, the tests' and the bench's server
 * processes, docs/deployment.md). V8's young generation is two semi-spaces of up
 * to 16 MB each by default; at 8 MB the server's RSS under 5,000 readings/s
 * peaked at 276 MB instead of 325 MB (default glibc arenas, docs/performance.md),
 * with no throughput change the bench could tell from its run-to-run spread.
 * Scavenges run twice as often; each has half the space to walk. No
 * --enable-source-maps: the parsed map cost 25 MB under the same load.
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=8'];

/**
 * The environment the server starts with, beside its own settings. glibc gives
 * each thread that allocates (the SQLite writer, libuv's pool, V8's helpers) a
 * malloc arena of its own, up to 8 per core; four of them held 16 MB each in an
 * idle server here. With two arenas the idle server took 162 MB of RSS instead
 * of 204 MB, and under 5,000 readings/s it peaked at 171 to 188 MB instead of
 * 276 to 302 MB (docs/performance.md). It must be set before the process starts.
 */
export const SERVER_ENV = { MALLOC_ARENA_MAX: '2' };

/**
 * Builds dist/server/main.mjs (and its source map) and returns its path. The
 * files are written in a folder of their own and then renamed into place, so
 * that two builds at once (two test workers) never leave a half-written bundle.
 */
export async function buildServer() {
  const outDir = path.dirname(SERVER_BUNDLE);
  const tmpDir = path.join(ROOT, 'dist', `.server-${process.pid}-${Date.now()}`);
  fs.mkdirSync(outDir, { recursive: true });
  try {
    await build({
      entryPoints: [path.join(ROOT, 'server/main.ts')],
      outfile: path.join(tmpDir, 'main.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      sourcemap: 'linked',
      logLevel: 'warning',
    });
    // The map first: a bundle in place always finds its map.
    fs.renameSync(path.join(tmpDir, 'main.mjs.map'), `${SERVER_BUNDLE}.map`);
    fs.renameSync(path.join(tmpDir, 'main.mjs'), SERVER_BUNDLE);
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
  return SERVER_BUNDLE;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = await buildServer();
  console.log(`built ${path.relative(ROOT, file)}`);
}
