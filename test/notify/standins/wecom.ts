import { StandIn, Window, type Answer, type Seen } from './base.js';

/** Content limit and rate limit from 群机器人配置说明. */
export const WECOM_CONTENT_MAX_BYTES = 4096;
export const WECOM_PER_MINUTE = 20;

const hint = (code: number) => `hint: [standin], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=${code}`;
const err = (errcode: number, msg: string): Answer => ({ status: 200, body: { errcode, errmsg: `${msg}, ${hint(errcode)}` } });

/**
 * The WeCom group bot, `POST /cgi-bin/webhook/send?key=KEY`: checks the key, the JSON shape of a
 * text/markdown message, the 4,096-byte content limit and 20 messages a minute per key; answers
 * HTTP 200 with `errcode` like the real one.
 */
export class WecomStandIn extends StandIn {
  readonly keys = new Set<string>(['test-key-1']);
  private readonly windows = new Map<string, Window>();

  url(key = 'test-key-1'): string {
    return `${this.base}/cgi-bin/webhook/send?key=${encodeURIComponent(key)}`;
  }

  protected isAccepted(a: Answer): boolean {
    return (a.body as { errcode?: number }).errcode === 0;
  }

  protected answer(req: Seen): Answer {
    if (req.path !== '/cgi-bin/webhook/send') return { status: 404, body: 'not found' };
    if (req.method !== 'POST') return err(43004, 'require POST method');
    const key = req.query.get('key');
    if (!key || !this.keys.has(key)) return err(93000, 'invalid webhook url');
    const m = req.json;
    if (!m || typeof m !== 'object') return err(40058, 'Invalid input invalid Request Parameter');
    if (m.msgtype !== 'markdown' && m.msgtype !== 'text') return err(40008, 'invalid message type');
    const content = m[m.msgtype]?.content;
    if (typeof content !== 'string' || content === '') return err(44004, 'empty content');
    if (Buffer.byteLength(content, 'utf8') > WECOM_CONTENT_MAX_BYTES) {
      return err(40058, `${m.msgtype}.content exceed max length ${WECOM_CONTENT_MAX_BYTES}. invalid Request Parameter`);
    }
    let w = this.windows.get(key);
    if (!w) this.windows.set(key, (w = new Window(WECOM_PER_MINUTE, 60_000)));
    if (!w.take(req.at)) return err(45009, 'api freq out of limit');
    return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
  }

  /** Userids mentioned in an accepted message's content (`<@userid>`). */
  static mentions(content: string): string[] {
    return [...content.matchAll(/<@([^>]+)>/g)].map((m) => m[1]!);
  }
}
