import type { FeishuConfig } from '../../config/schema.js';
import type { Notification } from '../notifier.js';
import { routerFrom, type Router } from '../route.js';
import type { ClientOptions, Sent } from '../chat/client.js';
import { bodyCode, postJson } from '../chat/http.js';
import { LABELS } from '../chat/labels.js';
import { ChatNotifier, probeVerdict, type Probe } from '../chat/notifier.js';
import { sendFeishu } from './client.js';
import { renderFeishu, type FeishuCard } from './render.js';
import { FEISHU_ERR, interpretFeishu } from './respond.js';
import { signedFeishuBody } from './sign.js';

export const CHANNEL = 'feishu';
/** Under Feishu's 100 a minute and 5 a second per bot (the OutboxWorker spaces attempts by the tighter of the two). */
export const FEISHU_RATE = { perMinute: 95, perSecond: 4 } as const;

export interface FeishuTarget {
  url: string;
  secret?: string;
}

export function feishuRouter(cfg: FeishuConfig): Router<FeishuTarget> {
  const top = cfg.webhook_url ? { url: cfg.webhook_url, secret: cfg.secret } : undefined;
  return routerFrom(top, cfg.routes, (x) => ({ url: x.webhook_url, secret: x.secret ?? cfg.secret }));
}

/** The Feishu / Lark custom bot (自定义机器人): an interactive card, signed when a secret is set. */
export class FeishuNotifier extends ChatNotifier<FeishuTarget> {
  readonly name = CHANNEL;

  constructor(
    private readonly cfg: FeishuConfig,
    private readonly client: Omit<ClientOptions, 'timeoutMs'> = {},
  ) {
    super(feishuRouter(cfg), cfg.min_severity, FEISHU_RATE);
  }

  protected payload(n: Notification): FeishuCard {
    return renderFeishu(n, { language: this.cfg.language, timezone: this.cfg.timezone });
  }

  protected send(t: FeishuTarget, payload: unknown): Promise<Sent> {
    return sendFeishu(t.url, t.secret, payload as FeishuCard, { timeoutMs: this.cfg.timeout, ...this.client });
  }

  protected testPayload(name: string): Record<string, unknown> {
    return { msg_type: 'text', content: { text: `apiwatch: ${LABELS[this.cfg.language].test(name)}` } };
  }

  protected async probeTarget(t: FeishuTarget): Promise<Probe> {
    // Signed, with no message: Feishu checks hook and signature, then answers 9499 Bad Request; nothing is posted.
    const now = (this.client.now ?? Date.now)();
    const a = await postJson(t.url, JSON.stringify(signedFeishuBody({}, t.secret, now)), { timeoutMs: this.cfg.timeout, fetchImpl: this.client.fetchImpl });
    if ('error' in a || a.status >= 500) return { ok: false, message: interpretFeishu(a, now).error ?? 'no answer', fix: 'check DNS and outbound HTTPS to open.feishu.cn' };
    return probeVerdict(CHANNEL, bodyCode(a.body, 'code'), a.body.slice(0, 200), [FEISHU_ERR.badRequest, FEISHU_ERR.keywordsNotFound], (c) => {
      const r = interpretFeishu({ status: 200, body: a.body, retryAfter: null }, now);
      return c === FEISHU_ERR.ok ? undefined : r.error?.split(' — ')[1];
    });
  }
}
