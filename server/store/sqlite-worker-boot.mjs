// Entry of the SQLite writer thread. The server runs TypeScript through tsx; a
// worker thread does not inherit a test runner's transform, so it registers tsx's
// loader itself (tsx's documented API, tsx.is/dev-api/register-esm) before
// loading the worker's TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./sqlite-worker.ts');
