import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { User } from '../../shared/auth';
import { loadConfig } from '../../server/config';
import { recipientsFrom } from '../../server/notify/from-config';
import { NotifySettingsStore } from '../../server/notify/settings';

/** Who the configuration and the users' settings make recipients (server/notify/from-config.ts). */
function setup(env: Record<string, string>) {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE migrations (module TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  const settings = new NotifySettingsStore(db, () => 0);
  const users: User[] = [
    { username: 'admin', role: 'admin', disabled: false, createdAt: 0, lastLoginAt: null },
    { username: 'tech', role: 'operator', disabled: false, createdAt: 0, lastLoginAt: null },
    { username: 'gone', role: 'operator', disabled: true, createdAt: 0, lastLoginAt: null },
    { username: 'quiet', role: 'viewer', disabled: false, createdAt: 0, lastLoginAt: null },
  ];
  settings.set('admin', { email: 'admin@example.org' });
  settings.set('tech', { email: 'tech@example.org', lang: 'en', zones: ['rdc-fablab'], severities: ['critical'] });
  settings.set('gone', { email: 'gone@example.org' });
  const notify = loadConfig({ SMTP_URL: 'smtp://relay.example.org:587', ...env }).notify;
  return recipientsFrom({ notify, settings, users: () => users });
}

describe('notification recipients', () => {
  it('are the active users with an address, by their own settings; admins are the escalation chain', () => {
    const r = setup({});
    expect(r.map((x) => [x.to, x.lang, x.severities, x.zones, x.escalation])).toEqual([
      ['admin@example.org', 'fr', ['warning', 'critical'], [], true],
      ['tech@example.org', 'en', ['critical'], ['rdc-fablab'], false],
    ]);
  });

  it('NOTIFY_ESCALATION_EMAILS replaces the admins in the chain, for escalations only', () => {
    const r = setup({ NOTIFY_ESCALATION_EMAILS: 'astreinte@example.org, direction@example.org' });
    expect(r.filter((x) => x.escalation).map((x) => x.to)).toEqual(['astreinte@example.org', 'direction@example.org']);
    expect(r.find((x) => x.to === 'astreinte@example.org')?.severities).toEqual([]);
    expect(r.find((x) => x.to === 'admin@example.org')?.escalation).toBe(false);
  });

  it('has no e-mail recipient without an SMTP relay, and the webhook of the environment for every severity', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE migrations (module TEXT PRIMARY KEY, version INTEGER NOT NULL)');
    const settings = new NotifySettingsStore(db, () => 0);
    settings.set('admin', { email: 'admin@example.org' });
    const notify = loadConfig({ NOTIFY_WEBHOOK_URL: 'https://hooks.example.org/x', NOTIFY_WEBHOOK_SECRET: '0123456789abcdef' }).notify;
    const r = recipientsFrom({ notify, settings, users: () => [{ username: 'admin', role: 'admin', disabled: false, createdAt: 0, lastLoginAt: null }] });
    expect(r).toEqual([{ channel: 'webhook', to: 'default', lang: 'fr', severities: ['info', 'warning', 'critical'], cleared: true, escalation: true }]);
    expect(() => loadConfig({ NOTIFY_WEBHOOK_URL: 'https://hooks.example.org/x' })).toThrow(/NOTIFY_WEBHOOK_SECRET/);
    expect(() => loadConfig({ NOTIFY_ESCALATION_EMAILS: 'a@b.org, not-an-address' })).toThrow(/NOTIFY_ESCALATION_EMAILS must be e-mail addresses/);
  });
});
