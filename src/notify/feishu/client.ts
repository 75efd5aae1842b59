import { send, type ClientOptions, type Sent } from '../chat/client.js';
import type { FeishuCard } from './render.js';
import { interpretFeishu } from './respond.js';
import { signedFeishuBody } from './sign.js';

/** Signs at send time (timestamp in the body, within an hour of Feishu's clock). */
export function sendFeishu(webhookUrl: string, secret: string | undefined, card: FeishuCard | Record<string, unknown>, o: ClientOptions): Promise<Sent> {
  const now = (o.now ?? Date.now)();
  return send(webhookUrl, JSON.stringify(signedFeishuBody(card, secret, now)), o, interpretFeishu);
}
