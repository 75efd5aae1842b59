import { z } from 'zod';
import { timezoneProblem } from './timezone.js';
import { SEVERITIES, CATEGORIES, BUNDLED_PACKS } from '../classify/types.js';
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
/** Incident fields a silence or maintenance window can match on. */
export const SILENCE_FIELDS = ['ref', 'rule', 'category', 'severity', 'endpoint', 'method', 'appkey', 'host', 'fingerprint', 'id'] as const;
export const category = z.enum(CATEGORIES);

/** An IANA Area/Location name (or UTC); abbreviations such as CST are refused with the zones meant. */
export const ianaTimezone = z.string().superRefine((tz, ctx) => {
  const problem = timezoneProblem(tz);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

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

const LISTEN_RE = /^(\[[0-9a-fA-F:.]+\]|[0-9A-Za-z.-]+):\d{1,5}$/;
const isLoopbackListen = (listen: string) => /^(localhost|127\.[0-9.]+|\[::1\]):\d+$/.test(listen);
/** 10 MB: Vector's http sink batches at most 10 MB by default (batch.max_bytes). */
export const HTTP_MAX_BODY = 10 * 1024 * 1024;
/** Five shipper flush intervals: a record split across batches is still assembled after a retry or two. */
export const HTTP_MULTILINE_TIMEOUT_MS = 5000;

/** `- http: {…}`: batches of lines POSTed by log shippers (src/ingest/http). */
export const httpSourceSchema = z
  .strictObject({
    listen: z.string().regex(LISTEN_RE, 'expected "host:port", e.g. "127.0.0.1:9880"'),
    path: z.string().regex(/^\/[A-Za-z0-9/_.-]*$/, 'expected a URL path such as "/ingest"').default('/ingest'),
    /** Bearer token the shippers send; required unless listen is loopback. A secret: ${ENV} or ${CREDENTIAL:name}. */
    token: z.string().min(16, 'expected a token of at least 16 characters').optional(),
    /** Largest request body accepted (after gzip), in bytes. */
    max_body: z.number().int().min(1024).default(HTTP_MAX_BODY),
    /** Requests read at once; more get 503 + Retry-After. */
    max_inflight: z.number().int().min(1).default(32),
    /** The record field with the byte offset in the shipper's file (Vector offset_key, Fluent Bit Offset_Key). */
    offset_key: z.string().min(1).default('offset'),
    /**
     * A multi-line record (an SDK exception) whose origin sends no further line for this long is
     * emitted. Longer than for files: its lines can straddle two shipper batches, which leave about
     * a second apart (Vector batch.timeout_secs, Fluent Bit Flush, syslog-ng batch-timeout).
     */
    multiline_timeout: duration.default(HTTP_MULTILINE_TIMEOUT_MS),
    timezone: ianaTimezone.optional(),
    include_other_apis: z.boolean().default(false),
  })
  .superRefine((h, ctx) => {
    if (h.token === undefined && !isLoopbackListen(h.listen)) {
      ctx.addIssue({ code: 'custom', path: ['token'], message: `a bearer token is required when listen (${h.listen}) is not loopback: set token: \${APIWATCH_INGEST_TOKEN}` });
    }
  });

const httpEntry = z.strictObject({ http: httpSourceSchema });
/** A file source, or `{ http: … }`; told apart by the `http` key so errors name the right fields. */
const sourceEntry = z.unknown().transform((v, ctx): z.infer<typeof sourceSchema> | z.infer<typeof httpEntry> => {
  const schema = v && typeof v === 'object' && 'http' in v ? httpEntry : sourceSchema;
  const r = schema.safeParse(v);
  if (r.success) return r.data;
  for (const i of r.error.issues) ctx.addIssue({ ...i, path: i.path } as Parameters<typeof ctx.addIssue>[0]);
  return z.NEVER;
});

const consoleSchema = z.strictObject({
  enabled: z.boolean().default(true),
  min_severity: severity.default('error'),
  /** Zone the console's alert and log times are shown in; default digest.timezone, else the machine's. */
  timezone: ianaTimezone.optional(),
});

/** Checked without echoing the value: a webhook URL is a secret. */
const webhookUrl = z.string().refine(
  (u) => {
    try {
      return ['https:', 'http:'].includes(new URL(u).protocol);
    } catch {
      return false;
    }
  },
  { message: 'expected an http(s) webhook URL' },
);

const slackRouteSchema = z.strictObject({
  /** Shown in the outbox and CLI instead of the secret URL; default `route-<n>`. */
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "-", "." only').optional(),
  webhook_url: webhookUrl,
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
  webhook_url: webhookUrl.optional(),
  min_severity: severity.default('error'),
  group_wait: duration.default(10_000),
  group_interval: duration.default(300_000),
  repeat_interval: duration.default(14_400_000),
  timeout: duration.default(10_000),
  language: z.enum(['en', 'zh']).default('en'),
  routes: z.array(slackRouteSchema).default([]),
  /** Minimum gap between two POSTs to one webhook (Slack allows about one a second). */
  min_interval: duration.default(1000),
  /** A message that still fails transiently after this long goes to the dead letters. */
  max_age: duration.default(86_400_000),
  /** After group_interval, an update is sent only once the count has grown by this factor (no flood from a steady trickle). */
  update_factor: z.number().min(1).default(2),
});

/** Which incidents a route of any channel takes (the same keys as Slack's). */
const routeMatch = z
  .strictObject({
    severity: z.array(severity).optional(),
    category: z.array(category).optional(),
    appkey: z.array(z.string()).optional(),
  })
  .default({});
const routeName = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "-", "." only');
/** Group bots speak Chinese by default: the teams that use them mostly do. */
const botLanguage = z.enum(['zh', 'en']).default('zh');
/** WeCom userids (<@userid> mentions). */
const wecomUserid = z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'expected a WeCom userid (letters, digits, "_", "-", ".", "@")');
/** Mobiles for DingTalk at.atMobiles. */
const mobile = z.string().regex(/^\+?[0-9][0-9-]{4,19}$/, 'expected a mobile number such as "13800001111"');
const routeCommon = { name: routeName.optional(), match: routeMatch, continue: z.boolean().default(false) };
const botCommon = {
  min_severity: severity.default('error'),
  timeout: duration.default(10_000),
  /** IANA zone for times shown in messages; default UTC. */
  timezone: ianaTimezone.optional(),
};

const wecomSchema = z.strictObject({
  /** https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=… (the key is a secret: ${ENV} or ${CREDENTIAL:…}). */
  webhook_url: webhookUrl.optional(),
  mention: z.array(wecomUserid).default([]),
  language: botLanguage,
  routes: z.array(z.strictObject({ ...routeCommon, webhook_url: webhookUrl, mention: z.array(wecomUserid).optional() })).default([]),
  ...botCommon,
});

const dingtalkSchema = z.strictObject({
  /** https://oapi.dingtalk.com/robot/send?access_token=… */
  webhook_url: webhookUrl.optional(),
  /** The robot's 加签 secret (SEC…); unset when the robot uses keywords or an IP list instead. */
  secret: z.string().min(1).optional(),
  at_mobiles: z.array(mobile).default([]),
  language: botLanguage,
  routes: z
    .array(z.strictObject({ ...routeCommon, webhook_url: webhookUrl, secret: z.string().min(1).optional(), at_mobiles: z.array(mobile).optional() }))
    .default([]),
  ...botCommon,
});

const feishuSchema = z.strictObject({
  /** https://open.feishu.cn/open-apis/bot/v2/hook/… (Lark: open.larksuite.com) */
  webhook_url: webhookUrl.optional(),
  /** The bot's 签名校验 secret. */
  secret: z.string().min(1).optional(),
  language: botLanguage,
  routes: z.array(z.strictObject({ ...routeCommon, webhook_url: webhookUrl, secret: z.string().min(1).optional() })).default([]),
  ...botCommon,
});

const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'expected an HTTP header name');
const headersSchema = z.record(headerName, z.string()).default({});
const webhookSchema = z.strictObject({
  url: webhookUrl.optional(),
  /** HMAC key for X-Apiwatch-Signature. */
  secret: z.string().min(1).optional(),
  /** Extra request headers (an Authorization, say: write its value as ${ENV}). */
  headers: headersSchema,
  routes: z.array(z.strictObject({ ...routeCommon, url: webhookUrl, secret: z.string().min(1).optional(), headers: headersSchema.optional() })).default([]),
  ...botCommon,
});

/** Labels apiwatch sets itself on every alert; static `labels` may not replace them. */
export const ALERTMANAGER_OWN_LABELS = ['alertname', 'ref', 'rule', 'category', 'severity', 'appkey', 'endpoint'] as const;
/** Prometheus' label-name grammar, which Alertmanager validates on POST. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** An Alertmanager base URL (`http://am1:9093`, or with a path prefix such as `/alertmanager`). */
const alertmanagerUrl = z.string().refine(
  (u) => {
    try {
      const x = new URL(u);
      return ['https:', 'http:'].includes(x.protocol) && !x.username && !x.password && !x.search;
    } catch {
      return false;
    }
  },
  { message: 'expected an http(s) Alertmanager base URL such as "http://alertmanager:9093", without user:password (use basic_auth) or a query' },
);
const alertmanagerSchema = z.strictObject({
  /** Every peer of the cluster, as Prometheus is configured: each gets every alert (its own outbox queue). */
  urls: z.array(alertmanagerUrl).min(1, 'list every Alertmanager peer'),
  /** Firing alerts are pushed again this often; each push is valid for four intervals (Prometheus' rule). */
  resend_interval: duration.default(60_000),
  /** Static labels added to every alert (team, env…); apiwatch's own labels cannot be replaced. */
  labels: z
    .record(z.string(), z.string().min(1))
    .default({})
    .superRefine((l, ctx) => {
      for (const k of Object.keys(l)) {
        if (!LABEL_NAME.test(k)) ctx.addIssue({ code: 'custom', path: [k], message: `expected a label name ([a-zA-Z_][a-zA-Z0-9_]*), got "${k}"` });
        else if ((ALERTMANAGER_OWN_LABELS as readonly string[]).includes(k)) {
          ctx.addIssue({ code: 'custom', path: [k], message: `"${k}" is set by apiwatch on every alert; choose another label name` });
        }
      }
    }),
  /** This apiwatch's name in the `hosts` annotation when its events come from local files; default the hostname. */
  instance: z.string().min(1).optional(),
  min_severity: severity.default('warning'),
  timeout: duration.default(10_000),
  /** Authorization: Bearer (write it as ${ENV} or ${CREDENTIAL:…}). */
  bearer_token: z.string().min(1).optional(),
  basic_auth: z.strictObject({ username: z.string().min(1), password: z.string().min(1) }).optional(),
}).refine((a) => !(a.bearer_token && a.basic_auth), { message: 'set bearer_token or basic_auth, not both', path: ['bearer_token'] });

const matchSchema = z.partialRecord(z.enum(SILENCE_FIELDS), z.union([z.string(), z.array(z.string()).min(1)]));

/** A recurring maintenance window: pages matching `match` are held while local time is inside it. */
const maintenanceSchema = z.strictObject({
  name: z.string().min(1),
  timezone: ianaTimezone.default('UTC'),
  /** Days the window starts on; default every day. */
  days: z.array(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])).optional(),
  start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time "HH:MM"'),
  /** Local end time; before `start` means the next day. */
  end: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time "HH:MM"'),
  /** Empty: everything. */
  match: matchSchema.default({}),
});

const smtpSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(587),
  secure: z.boolean().default(false),
  user: z.string().optional(),
  /** Only for `${ENV}` interpolation; prefer APIWATCH_SMTP_PASS, pass_file or a systemd credential. */
  pass: z.string().optional(),
  /** File holding the SMTP password (relative to this config file). */
  pass_file: z.string().min(1).optional(),
  /** With secure: false, fail instead of sending in clear text when STARTTLS is not offered. */
  require_tls: z.boolean().default(false),
  tls_reject_unauthorized: z.boolean().default(true),
  connection_timeout: duration.default(10_000),
  greeting_timeout: duration.default(10_000),
  socket_timeout: duration.default(60_000),
});

const emailSchema = z.strictObject({
  smtp: smtpSchema.optional(),
  from: z.string().default('apiwatch <apiwatch@localhost>'),
  to: z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v])).default([]),
}).refine((e) => !e.smtp || e.to.length > 0, { message: 'at least one recipient is needed when smtp is configured', path: ['to'] });

const digestSchema = z.strictObject({
  enabled: z.boolean().default(true),
  at: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time "HH:MM"').default('09:00'),
  timezone: ianaTimezone.optional(),
  language: z.enum(['en', 'zh']).default('en'),
  send_quiet: z.boolean().default(true),
  /** A catch-up after downtime covers at most this many missed days, in one digest. */
  max_catchup_days: z.number().int().min(1).max(14).default(7),
});

export const configSchema = z.strictObject({
  /** Folder for the database (`apiwatch.db`) and other state. */
  state_dir: z.string().default('./data'),
  sources: z.array(sourceEntry).default([]),
  /** Extra hosts (exact, or `*.example.com`) to treat as Easemob. */
  api_hosts: z.array(z.string().min(1)).default([]),
  rules: z
    .strictObject({
      files: z.array(z.string()).default([]),
      /** Bundled packs to load (rules/<pack>/): the 2.x table and the 3.x / Agora Chat table. */
      packs: z.array(z.enum(BUNDLED_PACKS)).min(1).default([...BUNDLED_PACKS]),
    })
    .default({ files: [], packs: [...BUNDLED_PACKS] }),
  notify: z
    .strictObject({
      console: consoleSchema.default({ enabled: true, min_severity: 'error' }),
      slack: slackSchema.optional(),
      wecom: wecomSchema.optional(),
      dingtalk: dingtalkSchema.optional(),
      feishu: feishuSchema.optional(),
      webhook: webhookSchema.optional(),
      alertmanager: alertmanagerSchema.optional(),
      maintenance: z.array(maintenanceSchema).default([]),
      email: emailSchema.optional(),
    })
    .default({ console: { enabled: true, min_severity: 'error' }, maintenance: [] }),
  digest: digestSchema.default({ enabled: true, at: '09:00', language: 'en', send_quiet: true, max_catchup_days: 7 }),
  incidents: z
    .strictObject({
      /** Quiet period after which a firing incident resolves by itself. */
      resolve_after: duration.default(1_800_000),
      /** Per-category quiet period (a rule's own resolve_after wins). */
      resolve_after_by_category: z.partialRecord(category, duration).default({}),
      /** Reopened this many times within flap_window = flapping: regression/resolved pages are held. */
      flap_threshold: z.number().int().min(1).default(3),
      flap_window: duration.default(3_600_000),
    })
    .default({ resolve_after: 1_800_000, resolve_after_by_category: {}, flap_threshold: 3, flap_window: 3_600_000 }),
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
      /** Serve the on-call web page (src/web) on the same listener. */
      ui: z.boolean().default(false),
      /** Login token for the page: `${CREDENTIAL:name}` or `${ENV}`; a literal is refused like any secret. */
      ui_token: z.string().min(16, 'expected a token of at least 16 characters (from ${CREDENTIAL:…} or ${ENV})').optional(),
      /** `none` leaves the page open without a token; only accepted on a loopback listener. */
      ui_auth: z.enum(['token', 'none']).default('token'),
      /** Where people reach the page (behind a proxy): links in Slack, the digest and Alertmanager use it. */
      public_url: z
        .string()
        .refine((u) => {
          try {
            return ['https:', 'http:'].includes(new URL(u).protocol);
          } catch {
            return false;
          }
        }, 'expected an http(s) URL such as https://apiwatch.example.com')
        .optional(),
    })
    .default({ enabled: false, listen: '127.0.0.1:9464', ui: false, ui_auth: 'token' }),
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
export type HttpSourceConfig = z.infer<typeof httpSourceSchema>;
export type SlackConfig = z.infer<typeof slackSchema>;
export type MaintenanceWindow = z.infer<typeof maintenanceSchema>;
export type WecomConfig = z.infer<typeof wecomSchema>;
export type DingtalkConfig = z.infer<typeof dingtalkSchema>;
export type FeishuConfig = z.infer<typeof feishuSchema>;
export type WebhookConfig = z.infer<typeof webhookSchema>;
export type AlertmanagerConfig = z.infer<typeof alertmanagerSchema>;
export const slackDefaults = (): SlackConfig => slackSchema.parse({});
