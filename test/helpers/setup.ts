import { afterAll } from 'vitest';
import { removeTempDirs } from './server';

// Registered before the test file's own hooks, so it runs after them (vitest runs after-hooks as a stack):
// the servers, brokers and databases a file started are stopped before their folders go.
afterAll(() => removeTempDirs());
