import type { LoadedConfig } from '../config/load.js';
import { slackDefaults } from '../config/schema.js';
import type { DB } from '../store/db.js';
import type { Logger } from '../util/log.js';
import { Muter, SilenceStore } from '../incidents/silences.js';
import { ConsoleNotifier } from './console/index.js';
import { Dispatcher } from './dispatch.js';
import type { Notifier } from './notifier.js';
import { OutboxStore } from './outbox/store.js';
import { OutboxWorker, type DeliveryOutcome } from './outbox/worker.js';
import { SlackNotifier, SlackRouter } from './slack/index.js';
import { WecomNotifier } from './wecom/index.js';
import { DingtalkNotifier } from './dingtalk/index.js';
import { FeishuNotifier } from './feishu/index.js';
import { WebhookNotifier } from './webhook/index.js';
import { AlertmanagerNotifier } from './alertmanager/index.js';

/** The HTTP channels besides Slack (chat bots, the generic webhook, Alertmanager), in the order they are listed (notify test, doctor). */
export const CHAT_CHANNELS = ['wecom', 'dingtalk', 'feishu', 'webhook', 'alertmanager'] as const;
export type ChatChannel = (typeof CHAT_CHANNELS)[number];

/** The WeCom / DingTalk / Feishu / webhook notifiers the config asks for (a channel counts once it has a URL or a route). */
export function createChatNotifiers(
  cfg: LoadedConfig,
  /** The clock signatures are made with (tests), and the HTTP client. */
  client: { now?: () => number; fetchImpl?: typeof fetch } = {},
): (WecomNotifier | DingtalkNotifier | FeishuNotifier | WebhookNotifier | AlertmanagerNotifier)[] {
  const n = cfg.notify;
  const out: (WecomNotifier | DingtalkNotifier | FeishuNotifier | WebhookNotifier | AlertmanagerNotifier)[] = [];
  if (n.wecom) out.push(new WecomNotifier(n.wecom, client));
  if (n.dingtalk) out.push(new DingtalkNotifier(n.dingtalk, client));
  if (n.feishu) out.push(new FeishuNotifier(n.feishu, client));
  if (n.webhook) out.push(new WebhookNotifier(n.webhook, client));
  if (n.alertmanager) out.push(new AlertmanagerNotifier(n.alertmanager, { ...client, publicUrl: cfg.http.public_url }));
  return out.filter((x) => x.router.configured);
}

/** The channels the config asks for: Slack when a webhook is set, the console when enabled or when nothing else is. */
export function createNotifiers(cfg: LoadedConfig): Notifier[] {
  const slack = cfg.notify.slack ?? slackDefaults();
  const router = new SlackRouter(slack);
  const out: Notifier[] = [];
  if (router.configured) {
    out.push(
      new SlackNotifier(router, { minSeverity: slack.min_severity, language: slack.language, publicUrl: cfg.http.public_url, timeoutMs: slack.timeout, minIntervalMs: slack.min_interval }),
    );
  }
  out.push(...createChatNotifiers(cfg));
  if (cfg.notify.console.enabled || !out.length) out.push(ConsoleNotifier.fromConfig(cfg));
  return out;
}

export interface DispatcherWiring {
  now?: () => number;
  /** Called after a tick queued messages (wake the outbox worker). */
  onQueued?: () => void;
  handleGapMs?: number;
}

/** The config-scoped decision maker: paging policy, silences and the channels that render into the outbox. */
export function createDispatcher(cfg: LoadedConfig, db: DB, log: Logger, notifiers: Notifier[], o: DispatcherWiring = {}): Dispatcher {
  const slack = cfg.notify.slack ?? slackDefaults();
  return new Dispatcher({
    db,
    notifiers,
    log,
    muter: new Muter(new SilenceStore(db), cfg.notify.maintenance),
    policy: {
      groupWait: slack.group_wait,
      groupInterval: slack.group_interval,
      repeatInterval: slack.repeat_interval,
      updateFactor: slack.update_factor,
    },
    resolveAfterMs: cfg.incidents.resolve_after,
    flapThreshold: cfg.incidents.flap_threshold,
    flapWindowMs: cfg.incidents.flap_window,
    now: o.now,
    onQueued: o.onQueued,
    handleGapMs: o.handleGapMs,
  });
}

export interface WorkerWiring {
  now?: () => number;
  onResult?: (channel: string, result: DeliveryOutcome) => void;
}

/** The one delivery loop over the outbox, for every channel; it lives as long as the daemon (reload swaps its notifiers). */
export function createOutboxWorker(cfg: LoadedConfig, db: DB, log: Logger, notifiers: Notifier[], o: WorkerWiring = {}): OutboxWorker {
  const slack = cfg.notify.slack ?? slackDefaults();
  return new OutboxWorker({ store: new OutboxStore(db), notifiers, log, now: o.now, maxAgeMs: slack.max_age, onResult: o.onResult });
}

export type { Notifier } from './notifier.js';
export { Dispatcher } from './dispatch.js';
export { OutboxWorker } from './outbox/worker.js';
