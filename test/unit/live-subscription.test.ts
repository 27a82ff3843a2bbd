import { describe, expect, it } from 'vitest';
import { catalogue } from '../../shared/catalogue';
import { SubscribeRequestSchema } from '../../shared/live';
import { handshakeCredentials, sameOrigin } from '../../server/live/auth';
import { Directory, filterReadings, makeSubscription, matches, unknownIds } from '../../server/live/subscription';

const dir = new Directory(catalogue, (id) => (id === 'added-later' ? 'r1-coworking' : undefined));
const reading = (seriesId: string) => ({ seriesId, ts: 1, value: 1 });

describe('live subscriptions', () => {
  it('match a series by its zone, its device or its id; nothing named means everything', () => {
    const byZone = makeSubscription({ zones: ['r1-coworking'] });
    expect(matches(dir, byZone, 'room-r1-coworking.co2')).toBe(true);
    expect(matches(dir, byZone, 'grid-meter.import_power')).toBe(false);
    expect(matches(dir, byZone, 'added-later.co2')).toBe(true);

    const byDevice = makeSubscription({ devices: ['grid-meter'] });
    expect(matches(dir, byDevice, 'grid-meter.import_power')).toBe(true);
    expect(matches(dir, byDevice, 'grid-meter-2.import_power')).toBe(false);

    const bySeries = makeSubscription({ series: ['pv-inverter-1.ac_power'] });
    expect(matches(dir, bySeries, 'pv-inverter-1.ac_power')).toBe(true);
    expect(matches(dir, bySeries, 'pv-inverter-1.ac_energy')).toBe(false);

    const all = makeSubscription({});
    const readings = [reading('a.b'), reading('grid-meter.import_power')];
    expect(filterReadings(dir, all, readings)).toBe(readings);
    expect(filterReadings(dir, makeSubscription({ zones: [] }), readings)).toEqual([]);
    expect(filterReadings(dir, makeSubscription({ zones: ['r1-coworking'], series: ['grid-meter.import_power'] }), readings)).toEqual([reading('grid-meter.import_power')]);
  });

  it('name the ids this server does not know', () => {
    expect(unknownIds(dir, { zones: ['r1-coworking'], devices: ['grid-meter', 'added-later'], series: ['weather-station.temperature'] })).toBeUndefined();
    expect(unknownIds(dir, { zones: ['attic'], devices: ['toaster'], series: ['kettle.power'] })).toBe('unknown zone "attic"; unknown device "toaster"; unknown series "kettle.power"');
    expect(unknownIds(dir, { series: ['grid-meter.import_power', 'grid-meter.no_such_point', 'added-later.anything'] })).toBe('unknown series "grid-meter.no_such_point"');
    expect(unknownIds(dir, { devices: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] })).toBe('unknown devices "a", "b", "c", "d", "e" and 2 more');
  });

  it('are validated by shared/live.ts', () => {
    expect(SubscribeRequestSchema.safeParse({}).success).toBe(true);
    expect(SubscribeRequestSchema.parse({ series: ['grid-meter.import_power'], since: 12 }).since).toEqual({ seq: 12, ts: undefined, server: undefined });
    expect(SubscribeRequestSchema.parse({ since: { seq: 3, ts: 5, server: 'abc' } }).since).toEqual({ seq: 3, ts: 5, server: 'abc' });
    for (const bad of [null, 'everything', { zones: 'r1-coworking' }, { zones: ['R1'] }, { series: ['no-point'] }, { since: {} }, { since: -1 }, { topics: ['#'] }, { devices: Array.from({ length: 3000 }, (_, i) => `d${i}`) }]) {
      expect(SubscribeRequestSchema.safeParse(bad).success, JSON.stringify(bad).slice(0, 60)).toBe(false);
    }
  });
});

describe('live credentials', () => {
  it('come from auth.token, else a Bearer header, else the session cookie', () => {
    expect(handshakeCredentials({ headers: {}, auth: { token: 'a' } })).toEqual({ token: 'a', via: 'auth' });
    expect(handshakeCredentials({ headers: { authorization: 'Bearer b', cookie: 'lnm_session=c' }, auth: {} })).toEqual({ token: 'b', via: 'bearer' });
    expect(handshakeCredentials({ headers: { cookie: 'theme=dark; lnm_session=c' }, auth: {} })).toEqual({ token: 'c', via: 'cookie' });
    expect(handshakeCredentials({ headers: { authorization: 'Basic eA==' }, auth: {} })).toEqual({ token: undefined, reason: 'no credentials' });
    expect(handshakeCredentials({ headers: {}, auth: { token: 42 } })).toEqual({ token: undefined, reason: 'no credentials' });
  });

  it('take the session cookie only from a page of this origin', () => {
    const cookie = 'lnm_session=c';
    expect(handshakeCredentials({ headers: { cookie, host: 'monitor.local:8080', origin: 'http://monitor.local:8080' } }).token).toBe('c');
    expect(handshakeCredentials({ headers: { cookie, host: 'monitor.local:8080', origin: 'http://monitor.local:9090' } })).toEqual({ token: undefined, reason: 'session cookie sent from another origin' });
    expect(sameOrigin({ host: 'a:1' })).toBe(true);
    expect(sameOrigin({ host: 'a:1', origin: 'null' })).toBe(false);
    // A token is not ambient: another origin may use one it holds.
    expect(handshakeCredentials({ headers: { host: 'a:1', origin: 'http://b:2' }, auth: { token: 't' } }).token).toBe('t');
  });
});
