import { createHmac } from 'node:crypto';
import { StandIn, Window, type Answer, type Seen } from './base.js';

/** From 自定义机器人使用指南: 100 requests a minute and 5 a second per bot, body ≤ 20 KB, timestamp within an hour. */
export const FEISHU_PER_MINUTE = 100;
export const FEISHU_PER_SECOND = 5;
export const FEISHU_BODY_MAX_BYTES = 20 * 1024;
export const FEISHU_TIMESTAMP_WINDOW_S = 3600;

const err = (code: number, msg: string): Answer => ({ status: 200, body: { code, msg, data: {} } });
const OK: Answer = { status: 200, body: { StatusCode: 0, StatusMessage: 'success', code: 0, data: {}, msg: 'success' } };

export interface Bot {
  /** 签名校验 secret. */
  secret?: string;
  keywords?: string[];
}

/**
 * The Feishu custom bot, `POST /open-apis/bot/v2/hook/TOKEN`: checks the token, the body size,
 * the signature (timestamp + sign in the body, seconds, one-hour window), the keywords, the shape
 * of a text or interactive-card message, and 100/min + 5/s; answers `{"code":…,"msg":…}`.
 */
export class FeishuStandIn extends StandIn {
  readonly bots = new Map<string, Bot>([['test-hook', {}]]);
  private readonly minute = new Map<string, Window>();
  private readonly second = new Map<string, Window>();

  url(token = 'test-hook'): string {
    return `${this.base}/open-apis/bot/v2/hook/${encodeURIComponent(token)}`;
  }

  protected isAccepted(a: Answer): boolean {
    return (a.body as { code?: number }).code === 0;
  }

  static expectedSign(secret: string, timestamp: string): string {
    return createHmac('sha256', `${timestamp}\n${secret}`).update(Buffer.alloc(0)).digest('base64');
  }

  protected answer(req: Seen): Answer {
    const m = /^\/open-apis\/bot\/v2\/hook\/([^/]+)$/.exec(req.path);
    if (!m) return { status: 404, body: '404 page not found' };
    const token = decodeURIComponent(m[1]!);
    const bot = this.bots.get(token);
    if (!bot) return err(19001, 'param invalid: incoming webhook access token invalid');
    if (Buffer.byteLength(req.raw, 'utf8') > FEISHU_BODY_MAX_BYTES) return err(9499, 'Bad Request');
    const b = req.json;
    if (!b || typeof b !== 'object') return err(9499, 'Bad Request');
    if (bot.secret) {
      const ts = String(b.timestamp ?? '');
      const fresh = /^\d+$/.test(ts) && Math.abs(Math.floor(req.at / 1000) - Number(ts)) <= FEISHU_TIMESTAMP_WINDOW_S;
      if (!fresh || b.sign !== FeishuStandIn.expectedSign(bot.secret, ts)) {
        return err(19021, 'sign match fail or timestamp is not within one hour from current time');
      }
    }
    let text: string;
    if (b.msg_type === 'text' && typeof b.content?.text === 'string') text = b.content.text;
    else if (b.msg_type === 'interactive' && b.card && typeof b.card === 'object' && Array.isArray(b.card.elements)) {
      if (b.card.header && typeof b.card.header.title?.content !== 'string') return err(9499, 'Bad Request');
      text = JSON.stringify(b.card);
    } else return err(9499, 'Bad Request');
    if (bot.keywords?.length && !bot.keywords.some((k) => text.includes(k))) return err(19024, 'Key Words Not Found');
    const w1 = this.take(this.minute, token, FEISHU_PER_MINUTE, 60_000);
    const w2 = this.take(this.second, token, FEISHU_PER_SECOND, 1000);
    if (!w1.take(req.at)) return err(11232, 'frequency limited psm[lark.oapi.app_platform_runtime]appID[-1]');
    if (!w2.take(req.at)) return err(11232, 'frequency limited psm[lark.oapi.app_platform_runtime]appID[-1]');
    return OK;
  }

  private take(map: Map<string, Window>, token: string, max: number, ms: number): Window {
    let w = map.get(token);
    if (!w) map.set(token, (w = new Window(max, ms)));
    return w;
  }
}
