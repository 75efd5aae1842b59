import { atLeast, type Severity } from '../../classify/types.js';
import type { SlackConfig } from '../../config/schema.js';
import type { Incident } from '../../incidents/types.js';
import type { ChannelRate, DeliveryResult, Notification, Notifier, OutboxMessage } from '../notifier.js';
import { SlackClient } from './client.js';
import { buildSlackMessage } from './message.js';
import { DEFAULT_TARGET, routerFrom, type Router } from '../route.js';

export const CHANNEL = 'slack';
export { DEFAULT_TARGET };

/** Route names → webhook URLs, and which routes an incident goes to (Alertmanager-style: first match wins unless `continue`). */
export class SlackRouter {
  private readonly router: Router<string>;

  constructor(cfg: Pick<SlackConfig, 'webhook_url' | 'routes'>) {
    this.router = routerFrom(cfg.webhook_url, cfg.routes, (r) => r.webhook_url);
  }

  /** Target name → webhook URL. */
  get urls(): Map<string, string> {
    return this.router.targets;
  }

  get configured(): boolean {
    return this.router.configured;
  }

  targetsFor(inc: Incident): string[] {
    return this.router.targetsFor(inc);
  }
}

export interface SlackNotifierOptions {
  minSeverity?: Severity;
  language?: 'en' | 'zh';
  /** http.public_url: messages link to the incident's page. */
  publicUrl?: string;
  /** Per-request time-out. */
  timeoutMs?: number;
  /** Gap between two messages to one webhook (Slack allows about 1 per second). 0 = no pacing. */
  minIntervalMs?: number;
  /** The HTTP client (tests inject a clock for Retry-After dates). */
  client?: SlackClient;
}

/** Which setting holds a target's webhook URL, for errors that tell the operator what to fix. */
export function webhookSetting(target: string): string {
  return target === DEFAULT_TARGET ? 'notify.slack.webhook_url' : `the webhook_url of notify.slack.routes "${target}"`;
}

/**
 * Slack as an outbox channel: a notification renders to one message per matching route (inserted in
 * the dispatcher's transaction); the OutboxWorker delivers each with one POST to the route's webhook.
 */
export class SlackNotifier implements Notifier {
  readonly name = CHANNEL;
  readonly minSeverity: Severity;
  readonly rate: ChannelRate;
  private readonly client: SlackClient;

  constructor(
    private readonly router: SlackRouter,
    private readonly opts: SlackNotifierOptions = {},
  ) {
    this.minSeverity = opts.minSeverity ?? 'error';
    const gap = opts.minIntervalMs ?? 1000;
    this.rate = gap > 0 ? { perSecond: 1000 / gap } : {};
    this.client = opts.client ?? new SlackClient(opts.timeoutMs ?? 10_000);
  }

  render(n: Notification): OutboxMessage[] {
    // Resolved notices too: an incident below the minimum was never paged here, so it has nothing to close.
    if (!atLeast(n.incident.severity, this.minSeverity)) return [];
    const targets = this.router.targetsFor(n.incident);
    if (!targets.length) return [];
    const payload = buildSlackMessage(n, { language: this.opts.language, publicUrl: this.opts.publicUrl });
    return targets.map((target) => ({ target, payload }));
  }

  async deliver(target: string, payload: unknown): Promise<DeliveryResult> {
    const url = this.router.urls.get(target);
    if (!url) return { ok: false, permanent: true, status: 0, error: `no Slack webhook is configured for route "${target}" (notify.slack.routes)` };
    // The payload was built by buildSlackMessage and stored as JSON.
    const res = await this.client.post(url, payload as Parameters<SlackClient['post']>[1]);
    // A dead webhook never comes back by itself: say which setting to replace.
    if (res.permanent) res.error = `${res.error}; check ${webhookSetting(target)}`;
    return res;
  }
}
