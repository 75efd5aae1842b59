import { send, type ClientOptions, type Sent } from '../chat/client.js';
import type { DingtalkMarkdown } from './render.js';
import { interpretDingtalk } from './respond.js';
import { signedDingtalkUrl } from './sign.js';

/** Signs at send time: the signature's timestamp must be within an hour of DingTalk's clock. */
export function sendDingtalk(webhookUrl: string, secret: string | undefined, msg: DingtalkMarkdown, o: ClientOptions): Promise<Sent> {
  const now = (o.now ?? Date.now)();
  return send(signedDingtalkUrl(webhookUrl, secret, now), JSON.stringify(msg), o, interpretDingtalk);
}
