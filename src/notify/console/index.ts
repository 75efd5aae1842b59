import { atLeast, type Severity } from '../../classify/types.js';
import type { DeliveryResult, Notification, Notifier, OutboxMessage } from '../notifier.js';
import { terminalSafe } from '../../util/text.js';

const ICON: Record<Severity, string> = { critical: '!!', error: '! ', warning: '~ ', info: '. ' };

/** Control characters from logs must not reach the operator's terminal (escape-sequence injection). */
function clean(s: string | null | undefined): string {
  return terminalSafe(s ?? '');
}

/** The console channel's one target: the daemon's standard output. */
export const CONSOLE_TARGET = 'stdout';

/**
 * Prints a readable alert per notification: the default when no webhook is configured. It goes through
 * the outbox like every channel, so a page decided just before a crash is still printed after it.
 */
export class ConsoleNotifier implements Notifier {
  readonly name = 'console';
  readonly rate = {};

  constructor(
    readonly minSeverity: Severity = 'error',
    private readonly out: (text: string) => void = (t) => process.stdout.write(t),
  ) {}

  render(n: Notification): OutboxMessage[] {
    const i = n.incident;
    if (n.kind !== 'resolved' && !atLeast(i.severity, this.minSeverity)) return [];
    const head =
      n.kind === 'resolved' ? 'RESOLVED' : n.kind === 'regression' ? 'REGRESSION' : n.kind === 'firing' ? 'NEW' : n.kind.toUpperCase();
    const lines = [
      `${ICON[i.severity]} [${head}] ${i.severity.toUpperCase()} #${i.id} ${clean(i.title)} (${i.ref ?? 'no ref'}, ${i.category})`,
      `   ${clean(i.method ?? '')} ${clean(i.endpoint ?? '?')}  app ${clean(i.appkey ?? '?')}  count ${i.count}  last ${new Date(i.last_seen).toISOString()}`,
    ];
    if (i.last_description) lines.push(`   error: ${clean(i.error)}: ${clean(i.last_description).slice(0, 300)}`);
    if (i.hint) lines.push(`   fix: ${clean(i.hint)}`);
    lines.push(`   ack: apiwatch incident ack ${i.id}`);
    return [{ target: CONSOLE_TARGET, payload: { text: lines.join('\n') + '\n' } }];
  }

  async deliver(_target: string, payload: unknown): Promise<DeliveryResult> {
    const text = (payload as { text?: unknown }).text;
    if (typeof text !== 'string') return { ok: false, permanent: true, status: 0, error: 'console payload without text' };
    this.out(text);
    return { ok: true, status: 0 };
  }
}
