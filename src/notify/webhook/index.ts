import type { WebhookConfig } from '../../config/schema.js';
import type { Notification } from '../notifier.js';
import { routerFrom, type Router } from '../route.js';
import type { ClientOptions, Sent } from '../chat/client.js';
import { ChatNotifier, type Probe } from '../chat/notifier.js';
import { sendWebhook, type WebhookTarget } from './client.js';
import { webhookPayload, PAYLOAD_VERSION, type WebhookPayload } from './payload.js';

export const CHANNEL = 'webhook';
/** A receiver of ours has no documented limit; ten a second keeps a storm from flooding it. */
export const WEBHOOK_RATE = { perSecond: 10 } as const;

export function webhookRouter(cfg: WebhookConfig): Router<WebhookTarget> {
  const top = cfg.url ? { url: cfg.url, secret: cfg.secret, headers: cfg.headers } : undefined;
  return routerFrom(top, cfg.routes, (x) => ({ url: x.url, secret: x.secret ?? cfg.secret, headers: { ...cfg.headers, ...x.headers } }));
}

/** A JSON POST of each notification, HMAC-signed when a secret is set, for whatever else a team runs. */
export class WebhookNotifier extends ChatNotifier<WebhookTarget> {
  readonly name = CHANNEL;

  constructor(
    private readonly cfg: WebhookConfig,
    private readonly client: Omit<ClientOptions, 'timeoutMs'> = {},
  ) {
    super(webhookRouter(cfg), cfg.min_severity, WEBHOOK_RATE);
  }

  protected payload(n: Notification): WebhookPayload {
    return webhookPayload(n);
  }

  protected send(t: WebhookTarget, payload: unknown): Promise<Sent> {
    return sendWebhook(t, payload as WebhookPayload, { timeoutMs: this.cfg.timeout, ...this.client });
  }

  protected testPayload(name: string): Record<string, unknown> {
    return { version: PAYLOAD_VERSION, kind: 'test', target: name, text: 'apiwatch test message', sent_at: new Date((this.client.now ?? Date.now)()).toISOString() };
  }

  protected async probeTarget(t: WebhookTarget): Promise<Probe> {
    // A receiver's every POST may act, so doctor only proves it answers (HEAD).
    const where = (() => {
      const u = new URL(t.url);
      return `${u.protocol}//${u.host}`;
    })();
    try {
      const res = await (this.client.fetchImpl ?? fetch)(t.url, { method: 'HEAD', signal: AbortSignal.timeout(this.cfg.timeout), redirect: 'manual' });
      return { ok: true, message: `${where} answers (HTTP ${res.status} to HEAD; nothing was sent)` };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      return { ok: false, message: `${where}: ${e.cause?.code ?? e.name}`, fix: 'check notify.webhook.url and outbound HTTP from this host' };
    }
  }
}
