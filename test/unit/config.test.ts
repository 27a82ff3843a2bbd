import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config';

describe('configuration from the environment', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ httpPort: 8080, mqttPort: 1883, simulator: { enabled: true, speed: 1, scenario: 'normal', backfillDays: 365, backfillStepS: 900 }, store: { kind: 'sqlite' }, siteId: 'le-numerique', logLevel: 'info' });
    expect(c.dataDir).toBe(path.resolve('./data'));
  });

  it('lists every bad variable at once, naming it and what it accepts', () => {
    let error: unknown;
    try {
      loadConfig({ HTTP_PORT: 'eighty', MQTT_PORT: '70000', SIMULATOR: 'yes', STORE: 'postgres', SITE_ID: 'Le Numérique', LOG_LEVEL: 'loud' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(6);
    expect(problems.join('\n')).toMatch(/HTTP_PORT: HTTP_PORT must be a TCP port number/);
    expect(problems.join('\n')).toMatch(/MQTT_PORT/);
    expect(problems.join('\n')).toMatch(/SIMULATOR must be "on" or "off"/);
    expect(problems.join('\n')).toMatch(/STORE must be "sqlite" or "influx"/);
    expect(problems.join('\n')).toMatch(/SITE_ID/);
    expect(problems.join('\n')).toMatch(/LOG_LEVEL must be one of/);
  });

  it('requires INFLUX_URL when STORE=influx', () => {
    expect(() => loadConfig({ STORE: 'influx' })).toThrow(/INFLUX_URL is required when STORE=influx/);
    expect(loadConfig({ STORE: 'influx', INFLUX_URL: 'http://localhost:8086/lenumerique' }).store).toMatchObject({ kind: 'influx', influxUrl: 'http://localhost:8086/lenumerique' });
  });

  it('keeps raw readings 30 days and a 256 MiB spool by default, each configurable', () => {
    expect(loadConfig({}).store).toMatchObject({ rawRetentionDays: 30, flushIntervalMs: undefined, spoolMaxBytes: 256 * 1024 * 1024 });
    expect(loadConfig({ RAW_RETENTION_DAYS: '7', STORE_FLUSH_MS: '500', INFLUX_SPOOL_MAX_MB: '10' }).store).toMatchObject({ rawRetentionDays: 7, flushIntervalMs: 500, spoolMaxBytes: 10 * 1024 * 1024 });
    expect(() => loadConfig({ RAW_RETENTION_DAYS: '0', STORE_FLUSH_MS: '5' })).toThrow(/RAW_RETENTION_DAYS must be from 1[\s\S]*STORE_FLUSH_MS must be from 10/);
  });

  it('treats empty values as unset, as a .env line "VAR=" means', () => {
    expect(loadConfig({ HTTP_PORT: '', SIMULATOR: '' })).toMatchObject({ httpPort: 8080, simulator: { enabled: true } });
  });
});
