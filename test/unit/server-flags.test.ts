import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, SERVER_ENV, SERVER_NODE_FLAGS } from '../../scripts/build-server.mjs';

/**
 * The server's memory figure (docs/performance.md) holds with Node's flags and
 * the environment of scripts/build-server.mjs. Every way the docs tell a user to start the server
 * must pass them, or the server they run is not the one that was measured.
 */
describe("the server's Node flags", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

  it('npm start and the bench pass them', () => {
    expect(SERVER_NODE_FLAGS.length).toBeGreaterThan(0);
    for (const script of ['start', 'bench', 'bench:long']) {
      for (const flag of SERVER_NODE_FLAGS) expect(pkg.scripts[script], `${script} passes ${flag}`).toContain(` ${flag} `);
      for (const [name, value] of Object.entries(SERVER_ENV)) expect(pkg.scripts[script], `${script} sets ${name}`).toMatch(new RegExp(`^${name}=${value} node `));
    }
  });

  it("every node command line of the deployment guide passes them, and runs the bundle npm start runs", () => {
    const text = fs.readFileSync(path.join(ROOT, 'docs/deployment.md'), 'utf8');
    const lines = text.split('\n').filter((l) => /\bnode (--|dist|server)/.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) {
      for (const flag of SERVER_NODE_FLAGS) expect(line, line).toContain(flag);
      expect(line).toContain('dist/server/main.mjs');
    }
    // Each systemd unit sets the environment too (the shell line sets it inline).
    const units = text.split('[Service]').slice(1).map((u) => u.slice(0, u.indexOf('```')));
    expect(units.length).toBeGreaterThanOrEqual(2);
    for (const unit of units) for (const [name, value] of Object.entries(SERVER_ENV)) expect(unit).toMatch(new RegExp(`^Environment=.*\\b${name}=${value}\\b`, 'm'));
    for (const [name, value] of Object.entries(SERVER_ENV)) expect(text).toContain(`${name}=${value} node `);
  });
});
