import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { type Clock, clockFromEnv, parseInstant } from '../shared/clock';
import { SCENARIO_NAMES, type ScenarioName } from '../shared/simulator';
import { DEFAULT_SITE_ID, ID_PATTERN } from '../shared/topics';

/**
 * The one place the environment is read. Every variable is parsed once, every
 * error is listed at once, and the resulting object is passed to whoever needs
 * it: nothing else in the server reads process.env.
 */

const port = (name: string, fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .refine((s) => /^\d+$/.test(s) && Number(s) <= 65_535, `${name} must be a TCP port number from 0 to 65535 (0 picks a free port)`)
    .transform(Number);

/** An optional URL of a server: one of these schemes, and a host. */
const serverUrl = (protocols: readonly string[], message: string) =>
  z
    .string()
    .refine((s) => {
      try {
        const u = new URL(s);
        return protocols.includes(u.protocol) && u.hostname !== '';
      } catch {
        return false;
      }
    }, message)
    .optional();

const EnvSchema = z
  .object({
    HTTP_PORT: port('HTTP_PORT', 8080),
    MQTT_PORT: port('MQTT_PORT', 1883),
    HOST: z.string().min(1).default('0.0.0.0'),
    DATA_DIR: z.string().min(1).default('./data'),
    SIMULATOR: z.enum(['on', 'off'], { error: 'SIMULATOR must be "on" or "off"' }).default('on'),
    SIM_SEED: z.string().regex(/^\d+$/, 'SIM_SEED must be a non-negative integer').default('42').transform(Number),
    SIM_SPEED: z
      .string()
      .default('1')
      .refine((s) => /^\d+(\.\d+)?$/.test(s) && Number(s) <= 10_000, 'SIM_SPEED must be a number from 0 (stepped) to 10000 (1 = real time)')
      .transform(Number),
    SIM_START: z
      .string()
      .refine((s) => !Number.isNaN(Date.parse(s)), 'SIM_START must be an ISO 8601 date-time, e.g. 2026-07-08T00:00:00+02:00')
      .transform((s) => Date.parse(s))
      .optional(),
    SIM_SCENARIO: z.enum(SCENARIO_NAMES, { error: `SIM_SCENARIO must be one of ${SCENARIO_NAMES.join(', ')}` }).default('normal'),
    SIM_BACKFILL_DAYS: z.string().regex(/^\d+$/, 'SIM_BACKFILL_DAYS must be a whole number of days (0 to 366)').refine((s) => Number(s) <= 366, 'SIM_BACKFILL_DAYS must be at most 366').default('365').transform(Number),
    SIM_BACKFILL_STEP_S: z.string().regex(/^\d+$/, 'SIM_BACKFILL_STEP_S must be a whole number of seconds (10 to 3600)').refine((s) => Number(s) >= 10 && Number(s) <= 3600, 'SIM_BACKFILL_STEP_S must be from 10 to 3600').default('900').transform(Number),
    STORE: z.enum(['sqlite', 'influx'], { error: 'STORE must be "sqlite" or "influx"' }).default('sqlite'),
    INFLUX_URL: z.url({ error: 'INFLUX_URL must be a URL such as http://localhost:8086/lenumerique' }).optional(),
    RAW_RETENTION_DAYS: z.string().regex(/^\d+$/, 'RAW_RETENTION_DAYS must be a whole number of days').refine((s) => Number(s) >= 1 && Number(s) <= 3650, 'RAW_RETENTION_DAYS must be from 1 to 3650').default('30').transform(Number),
    STORE_FLUSH_MS: z
      .string()
      .regex(/^\d+$/, 'STORE_FLUSH_MS must be a whole number of milliseconds')
      .refine((s) => Number(s) >= 10 && Number(s) <= 60_000, 'STORE_FLUSH_MS must be from 10 to 60000 (a kill -9 may lose up to this much)')
      .optional()
      .transform((s) => (s === undefined ? undefined : Number(s))),
    INFLUX_SPOOL_MAX_MB: z.string().regex(/^\d+$/, 'INFLUX_SPOOL_MAX_MB must be a whole number of MiB').refine((s) => Number(s) >= 1 && Number(s) <= 1_000_000, 'INFLUX_SPOOL_MAX_MB must be from 1 to 1000000').default('256').transform(Number),
    MQTT_MAX_PACKET_KB: z.string().regex(/^\d+$/, 'MQTT_MAX_PACKET_KB must be a whole number of KiB').refine((s) => Number(s) >= 1 && Number(s) <= 262_144, 'MQTT_MAX_PACKET_KB must be from 1 to 262144 (MQTT allows 256 MiB)').default('1024').transform(Number),
    SITE_ID: z.string().regex(ID_PATTERN, 'SITE_ID must be lower-case letters, digits and "-" (it is a topic level)').default(DEFAULT_SITE_ID),
    STALE_FACTOR: z
      .string()
      .default('3')
      .refine((s) => /^\d+(\.\d+)?$/.test(s) && Number(s) >= 1 && Number(s) <= 1000, 'STALE_FACTOR must be a number from 1 to 1000 (periods without a reading before a device is stale)')
      .transform(Number),
    DEAD_LETTER_MAX: z.string().regex(/^\d+$/, 'DEAD_LETTER_MAX must be a whole number (rejected messages kept for inspection)').refine((s) => Number(s) >= 1 && Number(s) <= 100_000, 'DEAD_LETTER_MAX must be from 1 to 100000').default('1000').transform(Number),
    ALERT_RULES_FILE: z.string().min(1).optional(),
    LIVE_FRAME_MS: z
      .string()
      .regex(/^\d+$/, 'LIVE_FRAME_MS must be a whole number of milliseconds')
      .refine((s) => Number(s) >= 50 && Number(s) <= 5000, 'LIVE_FRAME_MS must be from 50 to 5000')
      .default('250')
      .transform(Number),
    ADMIN_PASSWORD: z.string().min(12, 'ADMIN_PASSWORD must have at least 12 characters').max(256).optional(),
    LOGIN_ATTEMPTS: z.string().regex(/^\d+$/, 'LOGIN_ATTEMPTS must be a whole number').refine((s) => Number(s) >= 1 && Number(s) <= 1000, 'LOGIN_ATTEMPTS must be from 1 to 1000').default('10').transform(Number),
    TLS_CERT_FILE: z.string().min(1).optional(),
    TLS_KEY_FILE: z.string().min(1).optional(),
    MQTTS_PORT: port('MQTTS_PORT', 8883),
    MQTT_PLAIN: z.enum(['on', 'off', 'loopback'], { error: 'MQTT_PLAIN must be "on", "off" or "loopback"' }).optional(),
    CORS_ORIGINS: z
      .string()
      .refine(
        (s) =>
          s.split(',').every((o) => {
            try {
              return new URL(o.trim()).origin === o.trim().replace(/\/$/, '');
            } catch {
              return false;
            }
          }),
        'CORS_ORIGINS must be a comma-separated list of origins such as https://grafana.example.org (scheme, host and port, no path)',
      )
      .optional(),
    MQTT_URL: serverUrl(['mqtt:', 'mqtts:'], 'MQTT_URL must be an mqtt:// or mqtts:// URL such as mqtt://server:secret@broker.example.org:1883'),
    MQTT_SHARE_GROUP: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'MQTT_SHARE_GROUP must be 1 to 64 letters, digits, "_" or "-" (it is a topic level of $share/<group>/...)').default('lenumerique'),
    REDIS_URL: z
      .string()
      .refine((s) => /^rediss?:\/\/[^/]/.test(s), 'REDIS_URL must be a redis:// or rediss:// URL such as redis://redis.example.org:6379')
      .optional(),
    INSTANCE_ID: z.string().regex(ID_PATTERN, 'INSTANCE_ID must be lower-case letters, digits and "-"').max(64).optional(),
    SMTP_URL: serverUrl(['smtp:', 'smtps:'], 'SMTP_URL must be an smtp:// or smtps:// URL such as smtps://user:password@smtp.example.org:465'),
    SMTP_USER: z.string().min(1).optional(),
    SMTP_PASSWORD: z.string().min(1).optional(),
    NOTIFY_FROM: z.string().min(3).default('Le Numérique <supervision@localhost>'),
    PUBLIC_URL: z.url({ error: 'PUBLIC_URL must be the dashboard\'s address as its users reach it, such as https://supervision.example.org' }).optional(),
    NOTIFY_WEBHOOK_URL: z.url({ error: 'NOTIFY_WEBHOOK_URL must be an http:// or https:// URL' }).refine((s) => /^https?:\/\//.test(s), 'NOTIFY_WEBHOOK_URL must be an http:// or https:// URL').optional(),
    NOTIFY_WEBHOOK_SECRET: z.string().min(16, 'NOTIFY_WEBHOOK_SECRET must have at least 16 characters (it signs every webhook body)').optional(),
    NOTIFY_WEBHOOK_FORMAT: z.enum(['json', 'slack', 'ntfy'], { error: 'NOTIFY_WEBHOOK_FORMAT must be json, slack or ntfy' }).default('json'),
    ADMIN_EMAIL: z.email({ error: 'ADMIN_EMAIL must be an e-mail address' }).optional(),
    NOTIFY_ESCALATION_EMAILS: z
      .string()
      .refine((s) => s.split(',').every((a) => z.email().safeParse(a.trim()).success), 'NOTIFY_ESCALATION_EMAILS must be e-mail addresses separated by commas')
      .optional(),
    NOTIFY_DIGEST_TIME: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'NOTIFY_DIGEST_TIME must be a local time as HH:MM (Europe/Paris), e.g. 07:30').default('07:30'),
    NOTIFY_ESCALATE_CRITICAL_MIN: z.string().regex(/^\d+$/, 'NOTIFY_ESCALATE_CRITICAL_MIN must be a whole number of minutes').refine((s) => Number(s) >= 1 && Number(s) <= 10_080, 'NOTIFY_ESCALATE_CRITICAL_MIN must be from 1 to 10080').default('15').transform(Number),
    NOTIFY_ESCALATE_WARNING_MIN: z.string().regex(/^\d+$/, 'NOTIFY_ESCALATE_WARNING_MIN must be a whole number of minutes').refine((s) => Number(s) >= 1 && Number(s) <= 10_080, 'NOTIFY_ESCALATE_WARNING_MIN must be from 1 to 10080').default('120').transform(Number),
    TEST_NOW: z
      .string()
      .refine((s) => parseInstant(s) !== undefined, 'TEST_NOW must be an ISO 8601 instant with its offset, e.g. 2027-03-28T02:30:00+01:00 (the clock of the server and its simulator starts there)')
      .optional(),
    TEST_NOW_WALL: z.string().regex(/^\d+$/, 'TEST_NOW_WALL must be epoch milliseconds (the moment of the machine\'s clock at which TEST_NOW held)').optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
  })
  .superRefine((env, ctx) => {
    if (env.STORE === 'influx' && !env.INFLUX_URL) ctx.addIssue({ code: 'custom', path: ['INFLUX_URL'], message: 'INFLUX_URL is required when STORE=influx' });
    if ((env.TLS_CERT_FILE === undefined) !== (env.TLS_KEY_FILE === undefined)) {
      ctx.addIssue({ code: 'custom', path: [env.TLS_CERT_FILE === undefined ? 'TLS_CERT_FILE' : 'TLS_KEY_FILE'], message: 'TLS_CERT_FILE and TLS_KEY_FILE go together: set both (PEM files) or neither' });
    }
    if (env.MQTT_PLAIN === 'off' && env.TLS_CERT_FILE === undefined) ctx.addIssue({ code: 'custom', path: ['MQTT_PLAIN'], message: 'MQTT_PLAIN=off needs TLS_CERT_FILE and TLS_KEY_FILE: devices would have no way in' });
    if (env.NOTIFY_WEBHOOK_URL !== undefined && env.NOTIFY_WEBHOOK_SECRET === undefined) ctx.addIssue({ code: 'custom', path: ['NOTIFY_WEBHOOK_SECRET'], message: 'NOTIFY_WEBHOOK_URL needs NOTIFY_WEBHOOK_SECRET: every webhook body is signed with it, so that the receiver can tell it came from here' });
    if (env.MQTT_PLAIN === 'off' && env.SIMULATOR === 'on') ctx.addIssue({ code: 'custom', path: ['MQTT_PLAIN'], message: 'MQTT_PLAIN=off leaves the embedded simulator no way in: use MQTT_PLAIN=loopback, or SIMULATOR=off' });
  });

export interface Config {
  httpPort: number;
  mqttPort: number;
  /** An MQTT packet larger than this closes its connection before it is buffered, bytes. */
  mqttMaxPacketBytes: number;
  host: string;
  dataDir: string;
  simulator: { enabled: boolean; seed: number; speed: number; start: number | undefined; scenario: ScenarioName; backfillDays: number; backfillStepS: number };
  store: {
    kind: 'sqlite' | 'influx';
    influxUrl: string | undefined;
    /** Raw readings are kept this long; rollups for good. */
    rawRetentionDays: number;
    /** Oldest a queued reading gets before it is written; undefined: the backend's default (SQLite 200 ms, InfluxDB 1 s). */
    flushIntervalMs: number | undefined;
    spoolMaxBytes: number;
  };
  siteId: string;
  ingest: { staleFactor: number; deadLetterCapacity: number };
  /** How often dashboards get a frame of readings, ms. */
  liveFrameMs: number;
  /** The alert rules file; undefined: config/alert-rules.json of the repository. */
  alertRulesFile: string | undefined;
  auth: {
    /** The first start's admin password; undefined: generated and printed once. */
    adminPassword: string | undefined;
    /** Failed logins per address and username in 15 minutes before 429. */
    loginAttempts: number;
  };
  /**
   * TLS (docs/security.md): with a certificate and key, HTTP_PORT speaks HTTPS
   * (socket.io and MQTT over WebSocket with it) and MQTTS_PORT serves MQTT over TLS.
   */
  tls: { certFile: string; keyFile: string; mqttsPort: number } | undefined;
  /**
   * The plain-text MQTT listener on MQTT_PORT: 'on' on HOST, 'loopback' on
   * 127.0.0.1 only (the embedded simulator and local tools), 'off' none.
   * Default: 'on' without TLS, 'loopback' with it.
   */
  mqttPlain: 'on' | 'off' | 'loopback';
  /** Other origins allowed to call the REST API from a browser with a Bearer token (CORS); empty: none. */
  corsOrigins: string[];
  /**
   * Scaling out (docs/deployment.md). `mqttUrl`: an external broker to ingest from
   * through the shared subscription `$share/<shareGroup>/...` instead of the embedded
   * aedes; `redisUrl`: live push, sessions and alerts shared between instances;
   * `instanceId`: this instance's name (its MQTT client id, its logs).
   */
  scale: { mqttUrl: string | undefined; shareGroup: string; redisUrl: string | undefined; instanceId: string };
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  /**
   * The clock of everything the server runs (ingest, store, alerts, KPIs, live
   * push, sessions, the simulator): the machine's, or shifted to TEST_NOW
   * (shared/clock.ts) so that a tester can run the whole system on any day and hour.
   */
  now: Clock;
  /**
   * Notifications (docs/notifications.md): e-mail through an SMTP relay when
   * `smtp` is set, a signed webhook when `webhook` is; `adminEmail` is the first
   * admin's address, `publicUrl` the dashboard's address the messages link to.
   */
  notify: {
    smtp: { url: string; user: string | undefined; password: string | undefined } | undefined;
    from: string;
    /** PUBLIC_URL; undefined: the address the server listens on, once it does. */
    publicUrl: string | undefined;
    webhook: { url: string; secret: string; format: 'json' | 'slack' | 'ntfy' } | undefined;
    adminEmail: string | undefined;
    /** The daily digest's Paris local time, HH:MM. */
    digestTime: string;
    /** An unacknowledged alert goes to the escalation chain after this long, ms. */
    escalationMs: { critical: number; warning: number };
    /** The escalation chain's addresses; undefined: every admin with an address. */
    escalationEmails: string[] | undefined;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses an environment (process.env in production, a plain object in tests). */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // Empty strings count as unset, as in a .env file with "VAR=".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`));
  }
  const e = parsed.data;
  return {
    httpPort: e.HTTP_PORT,
    mqttPort: e.MQTT_PORT,
    mqttMaxPacketBytes: e.MQTT_MAX_PACKET_KB * 1024,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    simulator: { enabled: e.SIMULATOR === 'on', seed: e.SIM_SEED, speed: e.SIM_SPEED, start: e.SIM_START, scenario: e.SIM_SCENARIO, backfillDays: e.SIM_BACKFILL_DAYS, backfillStepS: e.SIM_BACKFILL_STEP_S },
    store: { kind: e.STORE, influxUrl: e.INFLUX_URL, rawRetentionDays: e.RAW_RETENTION_DAYS, flushIntervalMs: e.STORE_FLUSH_MS, spoolMaxBytes: e.INFLUX_SPOOL_MAX_MB * 1024 * 1024 },
    siteId: e.SITE_ID,
    ingest: { staleFactor: e.STALE_FACTOR, deadLetterCapacity: e.DEAD_LETTER_MAX },
    liveFrameMs: e.LIVE_FRAME_MS,
    alertRulesFile: e.ALERT_RULES_FILE === undefined ? undefined : path.resolve(e.ALERT_RULES_FILE),
    auth: { adminPassword: e.ADMIN_PASSWORD, loginAttempts: e.LOGIN_ATTEMPTS },
    tls: e.TLS_CERT_FILE !== undefined && e.TLS_KEY_FILE !== undefined ? { certFile: path.resolve(e.TLS_CERT_FILE), keyFile: path.resolve(e.TLS_KEY_FILE), mqttsPort: e.MQTTS_PORT } : undefined,
    mqttPlain: e.MQTT_PLAIN ?? (e.TLS_CERT_FILE === undefined ? 'on' : 'loopback'),
    corsOrigins: (e.CORS_ORIGINS ?? '').split(',').map((o) => o.trim().replace(/\/$/, '')).filter((o) => o !== ''),
    scale: {
      mqttUrl: e.MQTT_URL,
      shareGroup: e.MQTT_SHARE_GROUP,
      redisUrl: e.REDIS_URL,
      instanceId: e.INSTANCE_ID ?? `${os.hostname().toLowerCase().replace(/[^a-z0-9-]/g, '-')}-${process.pid}`,
    },
    logLevel: e.LOG_LEVEL,
    now: clockFromEnv(e),
    notify: {
      smtp: e.SMTP_URL === undefined ? undefined : { url: e.SMTP_URL, user: e.SMTP_USER, password: e.SMTP_PASSWORD },
      from: e.NOTIFY_FROM,
      publicUrl: e.PUBLIC_URL?.replace(/\/$/, ''),
      webhook: e.NOTIFY_WEBHOOK_URL !== undefined && e.NOTIFY_WEBHOOK_SECRET !== undefined ? { url: e.NOTIFY_WEBHOOK_URL, secret: e.NOTIFY_WEBHOOK_SECRET, format: e.NOTIFY_WEBHOOK_FORMAT } : undefined,
      adminEmail: e.ADMIN_EMAIL,
      digestTime: e.NOTIFY_DIGEST_TIME,
      escalationMs: { critical: e.NOTIFY_ESCALATE_CRITICAL_MIN * 60_000, warning: e.NOTIFY_ESCALATE_WARNING_MIN * 60_000 },
      escalationEmails: e.NOTIFY_ESCALATION_EMAILS?.split(',').map((a) => a.trim()),
    },
  };
}
