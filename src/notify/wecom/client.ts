import { send, type ClientOptions, type Sent } from '../chat/client.js';
import type { WecomMarkdown } from './render.js';
import { interpretWecom } from './respond.js';

export function sendWecom(webhookUrl: string, msg: WecomMarkdown, o: ClientOptions): Promise<Sent> {
  return send(webhookUrl, JSON.stringify(msg), o, interpretWecom);
}
