import { buildSync } from 'esbuild';
import { projectPath } from '../paths';

const bundles = new Map<string, string>();

/**
 * A store's thread code: `source` (a path from the project's root) and what it
 * imports, bundled by esbuild (the compiler tsx itself runs on) once per process,
 * for `new Worker(code, { eval: true })`. A worker that loaded the TypeScript
 * through tsx's loader instead took 53 MB, 36 more, in a server whose memory
 * target is 300 MB. The `external` packages (native addons, large libraries) are
 * required at run time from the repository's node_modules.
 */
export function threadCode(source: string, external: string[]): string {
  const cached = bundles.get(source);
  if (cached) return cached;
  // From the source, found from the project's root: the server may run bundled (dist/server/main.mjs).
  const entry = projectPath(source);
  const out = buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node20', write: false, logLevel: 'silent', external });
  const text = out.outputFiles[0]?.text;
  if (!text) throw new Error(`bundling ${source} produced nothing`);
  const code = `(function (require) {\n${text}\n})(require('node:module').createRequire(${JSON.stringify(entry)}));`;
  bundles.set(source, code);
  return code;
}
