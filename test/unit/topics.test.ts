import { describe, expect, it } from 'vitest';
import { DEFAULT_SITE_ID, parseTopic, siteFilters, statusTopic, telemetryTopic } from '../../shared/topics';

describe('topic layout v1', () => {
  it('builds and parses the telemetry and status topics of a device', () => {
    expect(telemetryTopic(DEFAULT_SITE_ID, 'grid-meter')).toBe('le-numerique/grid-meter/telemetry');
    expect(statusTopic(DEFAULT_SITE_ID, 'grid-meter')).toBe('le-numerique/grid-meter/status');
    expect(parseTopic('le-numerique/grid-meter/telemetry')).toEqual({ ok: true, siteId: 'le-numerique', deviceId: 'grid-meter', kind: 'telemetry' });
    expect(parseTopic('le-numerique/grid-meter/status')).toMatchObject({ ok: true, kind: 'status' });
    expect(siteFilters('le-numerique')).toEqual({ telemetry: 'le-numerique/+/telemetry', status: 'le-numerique/+/status' });
  });

  it('rejects topics off the layout with a reason', () => {
    for (const t of ['le-numerique/grid-meter', 'le-numerique/grid-meter/telemetry/x', 'le-numerique/Grid/telemetry', 'le-numerique/../telemetry', 'le-numerique/+/telemetry', 'le-numerique/a/commands', 'le-numerique/a/setpoint', '/a/telemetry', 'le-numérique/a/telemetry']) {
      const parsed = parseTopic(t);
      expect(parsed.ok, t).toBe(false);
      if (!parsed.ok) expect(parsed.reason.length).toBeGreaterThan(0);
    }
  });
});
