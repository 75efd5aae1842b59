import { atLeast, type Severity } from '../../classify/types.js';
import type { Notification, Notifier } from '../notifier.js';
import { terminalSafe } from '../../util/text.js';

const ICON: Record<Severity, string> = { critical: '!!', error: '! ', warning: '~ ', info: '. ' };

/** Control characters from logs must not reach the operator's terminal (escape-sequence injection). */
function clean(s: string | null | undefined): string {
  return terminalSafe(s ?? '');
}

/** Prints a readable alert per notification: the default when no webhook is configured. */
export class ConsoleNotifier implements Notifier {
  readonly name = 'console';

  constructor(
    readonly minSeverity: Severity = 'error',
    private readonly out: (text: string) => void = (t) => process.stdout.write(t),
  ) {}

  async send(n: Notification): Promise<void> {
    const i = n.incident;
    if (n.kind !== 'resolved' && !atLeast(i.severity, this.minSeverity)) return;
    const head =
      n.kind === 'resolved' ? 'RESOLVED' : n.kind === 'regression' ? 'REGRESSION' : n.kind === 'firing' ? 'NEW' : n.kind.toUpperCase();
    const lines = [
      `${ICON[i.severity]} [${head}] ${i.severity.toUpperCase()} #${i.id} ${clean(i.title)} (${i.ref ?? 'no ref'}, ${i.category})`,
      `   ${clean(i.method ?? '')} ${clean(i.endpoint ?? '?')}  app ${clean(i.appkey ?? '?')}  count ${i.count}  last ${new Date(i.last_seen).toISOString()}`,
    ];
    if (i.last_description) lines.push(`   error: ${clean(i.error)}: ${clean(i.last_description).slice(0, 300)}`);
    if (i.hint) lines.push(`   fix: ${clean(i.hint)}`);
    lines.push(`   ack: apiwatch incident ack ${i.id}`);
    this.out(lines.join('\n') + '\n');
  }
}
