import fs from 'node:fs';

/**
 * A Debian package's binary the tests drive (never a downloaded one). Locally a
 * missing binary skips the tests that need it, with a reason; in CI (CI=true) a
 * test never skips for a missing server: it fails.
 */
export function debianBinary(binary: string, pkg: string): { ok: boolean; reason: string } {
  if (fs.existsSync(binary)) return { ok: true, reason: '' };
  const reason = `${binary} not found: apt-get install ${pkg} (bash .ci/run does it)`;
  if (process.env.CI === 'true') throw new Error(`CI: ${reason}`);
  return { ok: false, reason };
}
