import { z } from 'zod';
import { SEVERITIES, CATEGORIES } from '../classify/types.js';
import { parseDuration } from './duration.js';

/** A duration string (`500ms`, `10s`, `5m`, `4h`, `1d`) as milliseconds. */
export const duration = z
  .string()
  .transform((s, ctx) => {
    const ms = parseDuration(s);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: `expected a duration like "500ms", "10s", "5m", "4h" or "1d", got "${s}"` });
      return z.NEVER;
    }
    return ms;
  });

export const severity = z.enum(SEVERITIES);
export const category = z.enum(CATEGORIES);

export const ianaTimezone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected an IANA timezone such as "UTC" or "Asia/Shanghai"' },
);

const globs = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));

export const sourceSchema = z.strictObject({
  /** Glob or list of globs; relative ones resolve against the config file's folder. */
  path: globs,
  /** For files already present at the very first start: read from the end (default) or the beginning. */
  start_at: z.enum(['end', 'beginning']).default('end'),
  /** IANA timezone for timestamps without a zone; default the host's. */
  timezone: ianaTimezone.optional(),
  /** Also emit events for other APIs' errors (ref null). */
  include_other_apis: z.boolean().default(false),
});

const consoleSchema = z.strictObject({
  enabled: z.boolean().default(true),
  min_severity: severity.default('error'),
});

const slackRouteSchema = z.strictObject({
  webhook_url: z.string().min(1),
  match: z
    .strictObject({
      severity: z.array(severity).optional(),
      category: z.array(category).optional(),
      appkey: z.array(z.string()).optional(),
    })
    .default({}),
  continue: z.boolean().default(false),
});

const slackSchema = z.strictObject({
  webhook_url: z.string().min(1).optional(),
  min_severity: severity.default('error'),
  group_wait: duration.default(10_000),
  group_interval: duration.default(300_000),
  repeat_interval: duration.default(14_400_000),
  timeout: duration.default(10_000),
  language: z.enum(['en', 'zh']).default('en'),
  routes: z.array(slackRouteSchema).default([]),
});

const smtpSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(587),
  secure: z.boolean().default(false),
  user: z.string().optional(),
  pass: z.string().optional(),
});

const emailSchema = z.strictObject({
  smtp: smtpSchema.optional(),
  from: z.string().default('apiwatch <apiwatch@localhost>'),
  to: z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v])).default([]),
});

const digestSchema = z.strictObject({
  enabled: z.boolean().default(true),
  at: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time "HH:MM"').default('09:00'),
  timezone: ianaTimezone.optional(),
  language: z.enum(['en', 'zh']).default('en'),
  send_quiet: z.boolean().default(true),
});

export const configSchema = z.strictObject({
  /** Folder for the database (`apiwatch.db`) and other state. */
  state_dir: z.string().default('./data'),
  sources: z.array(sourceSchema).default([]),
  /** Extra hosts (exact, or `*.example.com`) to treat as Easemob. */
  api_hosts: z.array(z.string().min(1)).default([]),
  rules: z.strictObject({ files: z.array(z.string()).default([]) }).default({ files: [] }),
  notify: z
    .strictObject({
      console: consoleSchema.default({ enabled: true, min_severity: 'error' }),
      slack: slackSchema.optional(),
      email: emailSchema.optional(),
    })
    .default({ console: { enabled: true, min_severity: 'error' } }),
  digest: digestSchema.default({ enabled: true, at: '09:00', language: 'en', send_quiet: true }),
  incidents: z
    .strictObject({
      /** Quiet period after which a firing incident resolves by itself. */
      resolve_after: duration.default(1_800_000),
    })
    .default({ resolve_after: 1_800_000 }),
  retention: z
    .strictObject({
      events_days: z.number().int().min(1).default(14),
      /** How often old events are folded into event_daily and purged. */
      interval: duration.default(3_600_000),
      /** Events deleted per transaction, so ingestion never waits long on a purge. */
      batch_size: z.number().int().min(100).max(100_000).default(2000),
    })
    .default({ events_days: 14, interval: 3_600_000, batch_size: 2000 }),
  /** Optional HTTP listener for /metrics and /healthz; loopback only unless you say otherwise. */
  http: z
    .strictObject({
      enabled: z.boolean().default(false),
      listen: z
        .string()
        .regex(/^(\[[0-9a-fA-F:.]+\]|[0-9A-Za-z.-]+):\d{1,5}$/, 'expected "host:port", e.g. "127.0.0.1:9464"')
        .default('127.0.0.1:9464'),
    })
    .default({ enabled: false, listen: '127.0.0.1:9464' }),
  health: z
    .strictObject({
      /** Unread bytes with no committed progress for this long (or a write hung this long) = stalled. */
      stall_after: duration.default(120_000),
    })
    .default({ stall_after: 120_000 }),
  database: z
    .strictObject({
      /** How long a write waits for another connection's lock before failing (and being retried). */
      busy_timeout: duration.default(5000),
    })
    .default({ busy_timeout: 5000 }),
  shutdown: z
    .strictObject({
      /** On SIGTERM, how long in-flight notifications may still take. Keep well under TimeoutStopSec. */
      notify_grace: duration.default(10_000),
    })
    .default({ notify_grace: 10_000 }),
  log: z
    .strictObject({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') })
    .default({ level: 'info' }),
});

export type Config = z.infer<typeof configSchema>;
export type SourceConfig = z.infer<typeof sourceSchema>;
