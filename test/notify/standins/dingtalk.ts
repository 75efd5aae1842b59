import { createHmac } from 'node:crypto';
import { StandIn, Window, type Answer, type Seen } from './base.js';

export const DINGTALK_PER_MINUTE = 20;
/** "如果超过20条，会限流10分钟". */
export const DINGTALK_THROTTLE_MS = 10 * 60_000;
/** "与请求调用时间误差不能超过1小时". */
export const DINGTALK_TIMESTAMP_WINDOW_MS = 3_600_000;

const err = (errcode: number, errmsg: string): Answer => ({ status: 200, body: { errcode, errmsg } });

export interface Robot {
  /** 加签 secret; undefined: the robot does not sign. */
  secret?: string;
  /** 自定义关键词: the message must contain one. */
  keywords?: string[];
}

/**
 * The DingTalk custom robot, `POST /robot/send?access_token=T[&timestamp=&sign=]`: checks the
 * token, the signature and its one-hour timestamp window, the keywords, the markdown shape, and
 * 20 messages a minute (then 10 minutes of 130101, as the real one throttles). Answers HTTP 200
 * with errcode/errmsg in the current Chinese wording.
 */
export class DingtalkStandIn extends StandIn {
  readonly robots = new Map<string, Robot>([['test-token', {}]]);
  private readonly windows = new Map<string, Window>();
  private readonly throttledUntil = new Map<string, number>();

  url(token = 'test-token'): string {
    return `${this.base}/robot/send?access_token=${encodeURIComponent(token)}`;
  }

  protected isAccepted(a: Answer): boolean {
    return (a.body as { errcode?: number }).errcode === 0;
  }

  static expectedSign(secret: string, timestamp: string): string {
    return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
  }

  protected answer(req: Seen): Answer {
    if (req.path !== '/robot/send') return { status: 404, body: 'not found' };
    const token = req.query.get('access_token') ?? '';
    const robot = this.robots.get(token);
    if (!robot) return err(300001, 'description:token is not exist;solution:请确认access_token是否正确;');
    if (robot.secret) {
      const ts = req.query.get('timestamp');
      // URLSearchParams decodes the sign, as DingTalk does: an un-encoded "+" becomes a space and fails.
      const sign = req.query.get('sign');
      if (!ts || !sign) return err(310000, 'description:机器人发送签名不匹配;solution:请确认签名和生成签名的时间戳必须都放在调用的网址中，请确认机器人的密钥加密和填写正确;');
      if (!/^\d+$/.test(ts) || Math.abs(req.at - Number(ts)) > DINGTALK_TIMESTAMP_WINDOW_MS) {
        return err(310000, 'description:机器人发送签名过期;solution:签名生成时间和发送时间请保持在 timestampms 以内;');
      }
      if (sign !== DingtalkStandIn.expectedSign(robot.secret, ts)) {
        return err(310000, 'description:机器人发送签名不匹配;solution:请确认签名和生成签名的时间戳必须都放在调用的网址中，请确认机器人的密钥加密和填写正确;');
      }
    }
    const m = req.json;
    if (!m || typeof m !== 'object') return err(40035, '缺少参数 json');
    if (m.msgtype !== 'markdown' && m.msgtype !== 'text') return err(40035, '不支持的消息类型');
    const text: unknown = m.msgtype === 'markdown' ? m.markdown?.text : m.text?.content;
    if (typeof text !== 'string' || !text || (m.msgtype === 'markdown' && (typeof m.markdown.title !== 'string' || !m.markdown.title))) {
      return err(40035, '缺少参数 markdown.title / markdown.text');
    }
    if (m.at !== undefined && (typeof m.at !== 'object' || (m.at.atMobiles !== undefined && !(Array.isArray(m.at.atMobiles) && m.at.atMobiles.every((x: unknown) => typeof x === 'string'))))) {
      return err(40035, 'at.atMobiles 必须是字符串数组');
    }
    if (robot.keywords?.length) {
      const all = `${m.markdown?.title ?? ''}\n${text}`;
      if (!robot.keywords.some((k) => all.includes(k))) return err(310000, 'description:关键词不匹配;solution:请联系群管理员查看此机器人的关键词，并在发送的信息中包含此关键词;');
    }
    const until = this.throttledUntil.get(token) ?? 0;
    if (req.at < until) return err(130101, 'send too fast, exceed 20 times per minute');
    let w = this.windows.get(token);
    if (!w) this.windows.set(token, (w = new Window(DINGTALK_PER_MINUTE, 60_000)));
    if (!w.take(req.at)) {
      this.throttledUntil.set(token, req.at + DINGTALK_THROTTLE_MS);
      return err(130101, 'send too fast, exceed 20 times per minute');
    }
    return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
  }
}
