import type { DingtalkConfig } from '../../config/schema.js';
import type { Notification } from '../notifier.js';
import { routerFrom, type Router } from '../route.js';
import type { ClientOptions, Sent } from '../chat/client.js';
import { bodyCode, postJson } from '../chat/http.js';
import { LABELS } from '../chat/labels.js';
import { ChatNotifier, probeVerdict, type Probe } from '../chat/notifier.js';
import { sendDingtalk } from './client.js';
import { renderDingtalk, withMentions, type DingtalkQueued } from './render.js';
import { DINGTALK_ERR, interpretDingtalk, securityFix } from './respond.js';
import { signedDingtalkUrl } from './sign.js';

export const CHANNEL = 'dingtalk';
/** One under DingTalk's 20 a minute: going over throttles the robot for ten minutes. */
export const DINGTALK_RATE = { perMinute: 19 } as const;

export interface DingtalkTarget {
  url: string;
  secret?: string;
  atMobiles: string[];
}

export function dingtalkRouter(cfg: DingtalkConfig): Router<DingtalkTarget> {
  const top = cfg.webhook_url ? { url: cfg.webhook_url, secret: cfg.secret, atMobiles: cfg.at_mobiles } : undefined;
  return routerFrom(top, cfg.routes, (x) => ({ url: x.webhook_url, secret: x.secret ?? cfg.secret, atMobiles: x.at_mobiles ?? cfg.at_mobiles }));
}

/** The DingTalk custom robot (钉钉自定义机器人): markdown, 加签 when a secret is set, at.atMobiles for critical pages. */
export class DingtalkNotifier extends ChatNotifier<DingtalkTarget> {
  readonly name = CHANNEL;

  constructor(
    private readonly cfg: DingtalkConfig,
    private readonly client: Omit<ClientOptions, 'timeoutMs'> = {},
  ) {
    super(dingtalkRouter(cfg), cfg.min_severity, DINGTALK_RATE);
  }

  protected payload(n: Notification): DingtalkQueued {
    return renderDingtalk(n, { language: this.cfg.language, timezone: this.cfg.timezone });
  }

  protected send(t: DingtalkTarget, payload: unknown): Promise<Sent> {
    // The mobiles are added here, from the config: they never sit in the outbox.
    return sendDingtalk(t.url, t.secret, withMentions(payload as DingtalkQueued, t.atMobiles), { timeoutMs: this.cfg.timeout, ...this.client });
  }

  protected testPayload(name: string): DingtalkQueued {
    const text = LABELS[this.cfg.language].test(name);
    return { message: { msgtype: 'markdown', markdown: { title: 'apiwatch test', text: `### apiwatch\n\n${text}` }, at: { isAtAll: false } }, mention: false };
  }

  protected async probeTarget(t: DingtalkTarget): Promise<Probe> {
    // Signed but empty: DingTalk checks token and signature first, then refuses the empty body (40035); nothing is posted.
    const now = (this.client.now ?? Date.now)();
    const a = await postJson(signedDingtalkUrl(t.url, t.secret, now), '{}', { timeoutMs: this.cfg.timeout, fetchImpl: this.client.fetchImpl });
    if ('error' in a || a.status !== 200) return { ok: false, message: interpretDingtalk(a, now).error ?? 'no answer', fix: 'check DNS and outbound HTTPS to oapi.dingtalk.com' };
    const code = bodyCode(a.body, 'errcode');
    // A keyword complaint means token and signature passed: every real message carries "apiwatch".
    if (code?.code === DINGTALK_ERR.security && /keyword|关键词/i.test(code.msg)) {
      return { ok: true, message: 'token and signature accepted; the robot requires a keyword (messages carry "apiwatch"); nothing was posted' };
    }
    return probeVerdict(CHANNEL, code, a.body.slice(0, 200), [40035], (c, msg) =>
      c === DINGTALK_ERR.security ? securityFix(msg) : c === DINGTALK_ERR.tokenMissing || c === DINGTALK_ERR.tokenNotFound ? 'fix notify.dingtalk.webhook_url: the access_token is wrong' : undefined,
    );
  }
}
