import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config';

const problems = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
};

describe('configuration of a scaled-out site (docs/deployment.md)', () => {
  it('runs on one machine by default: no external broker, no Redis, a per-process instance id', () => {
    const c = loadConfig({});
    expect(c.scale).toMatchObject({ mqttUrl: undefined, redisUrl: undefined, shareGroup: 'lenumerique' });
    expect(c.scale.instanceId).toMatch(/^[a-z0-9-]+$/);
  });

  it('takes an external broker, a share group, Redis and an instance id', () => {
    const c = loadConfig({ MQTT_URL: 'mqtts://admin:secret@broker.example.org:8883', MQTT_SHARE_GROUP: 'site_a', REDIS_URL: 'rediss://redis.example.org:6380', INSTANCE_ID: 'web-2' });
    expect(c.scale).toEqual({ mqttUrl: 'mqtts://admin:secret@broker.example.org:8883', shareGroup: 'site_a', redisUrl: 'rediss://redis.example.org:6380', instanceId: 'web-2' });
  });

  it('names each bad scale-out variable and what it accepts', () => {
    const p = problems({ MQTT_URL: 'http://broker:1883', MQTT_SHARE_GROUP: 'a/b', REDIS_URL: 'localhost:6379', INSTANCE_ID: 'Web 2' });
    expect(p).toEqual([
      expect.stringMatching(/^MQTT_URL: .*mqtt:\/\/ or mqtts:\/\//),
      expect.stringMatching(/^MQTT_SHARE_GROUP: /),
      expect.stringMatching(/^REDIS_URL: .*redis:\/\//),
      expect.stringMatching(/^INSTANCE_ID: /),
    ]);
  });
});
