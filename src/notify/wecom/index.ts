import type { WecomConfig } from '../../config/schema.js';
import type { Notification } from '../notifier.js';
import { routerFrom, type Router } from '../route.js';
import type { ClientOptions, Sent } from '../chat/client.js';
import { bodyCode, postJson } from '../chat/http.js';
import { LABELS } from '../chat/labels.js';
import { ChatNotifier, probeVerdict, type Probe } from '../chat/notifier.js';
import { sendWecom } from './client.js';
import { renderWecom, type WecomMarkdown } from './render.js';
import { interpretWecom, WECOM_ERR } from './respond.js';

export const CHANNEL = 'wecom';
/** One under WeCom's documented 20 a minute per bot, so jitter in transit cannot tip a window over. */
export const WECOM_RATE = { perMinute: 19 } as const;

export interface WecomTarget {
  url: string;
  mention: string[];
}

export function wecomRouter(cfg: WecomConfig): Router<WecomTarget> {
  const top = cfg.webhook_url ? { url: cfg.webhook_url, mention: cfg.mention } : undefined;
  return routerFrom(top, cfg.routes, (x) => ({ url: x.webhook_url, mention: x.mention ?? cfg.mention }));
}

/** The WeCom group bot (企业微信群机器人) as an outbox channel: markdown, <@userid> for critical pages. */
export class WecomNotifier extends ChatNotifier<WecomTarget> {
  readonly name = CHANNEL;

  constructor(
    private readonly cfg: WecomConfig,
    private readonly client: Omit<ClientOptions, 'timeoutMs'> = {},
  ) {
    super(wecomRouter(cfg), cfg.min_severity, WECOM_RATE);
  }

  protected payload(n: Notification, t: WecomTarget): WecomMarkdown {
    return renderWecom(n, { language: this.cfg.language, timezone: this.cfg.timezone, mention: t.mention });
  }

  protected send(t: WecomTarget, payload: unknown): Promise<Sent> {
    return sendWecom(t.url, payload as WecomMarkdown, { timeoutMs: this.cfg.timeout, ...this.client });
  }

  protected testPayload(name: string): WecomMarkdown {
    return { msgtype: 'markdown', markdown: { content: `### <font color="info">apiwatch</font>\n${LABELS[this.cfg.language].test(name)}` } };
  }

  protected async probeTarget(t: WecomTarget): Promise<Probe> {
    // An empty message is refused for its type (40008) once the key is good, so nothing reaches the group.
    const a = await postJson(t.url, '{}', { timeoutMs: this.cfg.timeout, fetchImpl: this.client.fetchImpl });
    if ('error' in a || a.status !== 200) return { ok: false, message: interpretWecom(a, Date.now()).error ?? 'no answer', fix: 'check DNS and outbound HTTPS to qyapi.weixin.qq.com' };
    return probeVerdict(CHANNEL, bodyCode(a.body, 'errcode'), a.body.slice(0, 200), [40008, 44004, WECOM_ERR.invalidParameter], (code) =>
      code === WECOM_ERR.invalidWebhook ? 'fix notify.wecom.webhook_url: the key is wrong or the bot was removed' : undefined,
    );
  }
}
