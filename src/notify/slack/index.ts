import { atLeast, type Severity } from '../../classify/types.js';
import type { SlackConfig } from '../../config/schema.js';
import type { Incident } from '../../incidents/types.js';
import type { Notification, Notifier } from '../notifier.js';
import type { OutboxStore } from '../outbox/store.js';
import { buildSlackMessage } from './message.js';

export const CHANNEL = 'slack';
export const DEFAULT_TARGET = 'default';

export interface Route {
  name: string;
  severity?: Severity[];
  category?: string[];
  appkey?: string[];
  continue: boolean;
}

/** Route names → webhook URLs, and which routes an incident goes to (Alertmanager-style: first match wins unless `continue`). */
export class SlackRouter {
  readonly urls = new Map<string, string>();
  private readonly routes: Route[] = [];

  constructor(cfg: Pick<SlackConfig, 'webhook_url' | 'routes'>) {
    if (cfg.webhook_url) this.urls.set(DEFAULT_TARGET, cfg.webhook_url);
    cfg.routes.forEach((r, i) => {
      const name = r.name ?? `route-${i + 1}`;
      this.urls.set(name, r.webhook_url);
      this.routes.push({ name, ...r.match, continue: r.continue });
    });
  }

  get configured(): boolean {
    return this.urls.size > 0;
  }

  targetsFor(inc: Incident): string[] {
    const out: string[] = [];
    for (const r of this.routes) {
      if (r.severity && !r.severity.includes(inc.severity)) continue;
      if (r.category && !r.category.includes(inc.category)) continue;
      if (r.appkey && !r.appkey.includes(inc.appkey ?? '')) continue;
      out.push(r.name);
      if (!r.continue) return out;
    }
    if (!out.length && this.urls.has(DEFAULT_TARGET)) out.push(DEFAULT_TARGET);
    return out;
  }
}

/**
 * Slack as a durable notifier: a notification becomes one outbox row per target, inserted in
 * the dispatcher's transaction; the outbox worker delivers it.
 */
export class SlackNotifier implements Notifier {
  readonly name = 'slack';
  readonly minSeverity: Severity;

  constructor(
    private readonly outbox: OutboxStore,
    private readonly router: SlackRouter,
    private readonly opts: { minSeverity?: Severity; language?: 'en' | 'zh' } = {},
  ) {
    this.minSeverity = opts.minSeverity ?? 'error';
  }

  enqueue(n: Notification): void {
    // Resolved notices too: an incident below the minimum was never paged here, so it has nothing to close.
    if (!atLeast(n.incident.severity, this.minSeverity)) return;
    const targets = this.router.targetsFor(n.incident);
    if (!targets.length) return;
    const payload = buildSlackMessage(n, { language: this.opts.language });
    for (const target of targets) {
      this.outbox.enqueue({ channel: CHANNEL, target, incidentId: n.incident.id, kind: n.kind, payload }, n.at);
    }
  }

  async send(n: Notification): Promise<void> {
    this.enqueue(n);
  }
}
