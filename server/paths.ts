import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's root: the nearest folder above this module that holds
 * package.json. Found rather than computed from this file's place, because the
 * same code runs from server/ (tests, tsx) and bundled into dist/server/
 * (`npm start`, scripts/build-server.mjs), at another depth.
 */
function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const PROJECT_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

/** A path inside the project, from its root. */
export const projectPath = (...parts: string[]): string => path.join(PROJECT_ROOT, ...parts);
