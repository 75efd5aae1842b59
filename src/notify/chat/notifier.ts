import { atLeast, type Severity } from '../../classify/types.js';
import type { ChannelRate, DeliveryResult, Notification, Notifier, OutboxMessage } from '../notifier.js';
import { DEFAULT_TARGET, Router } from '../route.js';
import type { Sent } from './client.js';

/** What `doctor` learnt from a probe that posts nothing to the group. */
export interface Probe {
  ok: boolean;
  message: string;
  fix?: string;
}

/**
 * The part every HTTP chat channel shares: routing to named targets, the minimum severity, and
 * turning a target name back into its URL and secrets at delivery. Subclasses render and send.
 */
export abstract class ChatNotifier<T> implements Notifier {
  abstract readonly name: string;

  constructor(
    readonly router: Router<T>,
    readonly minSeverity: Severity,
    readonly rate: ChannelRate,
  ) {}

  /** The payload stored in the outbox for one target: escaped, secret-free JSON. */
  protected abstract payload(n: Notification, target: T): unknown;
  /** One POST of a stored payload, signed now. */
  protected abstract send(target: T, payload: unknown): Promise<Sent>;
  /** A message that says the channel works (`notify test`). */
  protected abstract testPayload(targetName: string): unknown;
  /** Checks URL, key and signature without posting anything to the group. */
  protected abstract probeTarget(target: T): Promise<Probe>;

  render(n: Notification): OutboxMessage[] {
    // Resolved notices too: an incident below the minimum was never paged here, so it has nothing to close.
    if (!atLeast(n.incident.severity, this.minSeverity)) return [];
    return this.router.targetsFor(n.incident).map((name) => ({ target: name, payload: this.payload(n, this.router.targets.get(name)!) }));
  }

  async deliver(targetName: string, payload: unknown): Promise<DeliveryResult> {
    const t = this.router.targets.get(targetName);
    if (!t) return { ok: false, status: 0, permanent: true, error: `no ${this.name} target "${targetName}" is configured (notify.${this.name})` };
    return this.locate((await this.send(t, payload)).result, targetName);
  }

  /** Sends the test message to one target and returns what the server answered. */
  async test(targetName: string): Promise<Sent> {
    const t = this.router.targets.get(targetName);
    if (!t) throw new Error(`no ${this.name} target "${targetName}"`);
    const sent = await this.send(t, this.testPayload(targetName));
    return { ...sent, result: this.locate(sent.result, targetName) };
  }

  async probe(targetName: string): Promise<Probe> {
    const t = this.router.targets.get(targetName);
    if (!t) return { ok: false, message: `no target "${targetName}"` };
    const p = await this.probeTarget(t);
    return p.fix ? { ...p, fix: this.setting(p.fix, targetName) } : p;
  }

  /** Errors name `notify.<channel>.<key>`; for a route that is `notify.<channel>.routes[name=…].<key>`. */
  protected setting(text: string, targetName: string): string {
    return targetName === DEFAULT_TARGET ? text : text.split(`notify.${this.name}.`).join(`notify.${this.name}.routes[name=${targetName}].`);
  }

  private locate(r: DeliveryResult, targetName: string): DeliveryResult {
    return r.error ? { ...r, error: this.setting(r.error, targetName) } : r;
  }
}

/** A probe verdict from the code a deliberately empty message got back. */
export function probeVerdict(
  channel: string,
  answer: { code: number; msg: string } | undefined,
  raw: string,
  accepted: readonly number[],
  explain: (code: number, msg: string) => string | undefined,
): Probe {
  if (!answer) return { ok: false, message: `unexpected answer: ${raw}`, fix: `check notify.${channel}.webhook_url (a proxy in the way?)` };
  if (accepted.includes(answer.code)) {
    return { ok: true, message: `key and signature accepted (code ${answer.code} to an empty message; nothing was posted)` };
  }
  return { ok: false, message: `code ${answer.code} ${answer.msg}`.trim(), fix: explain(answer.code, answer.msg) ?? `see code ${answer.code} in the ${channel} documentation` };
}
