import type { Severity } from '../../classify/types.js';
import type { Notification } from '../notifier.js';
import { terminalSafe } from '../../util/text.js';
import { isoInZone } from '../../util/terminal.js';

const ICON: Record<Severity, string> = { critical: '!!', error: '! ', warning: '~ ', info: '. ' };

/** SGR colours for the first line of an alert (the rest stays plain, so it reads on any theme). */
const SGR = { critical: '1;31', error: '31', warning: '33', info: '36', resolved: '32', acknowledged: '34' } as const;
export type Tone = keyof typeof SGR;

/** Kinds that still need someone: only these offer the ack command. */
const NEEDS_ACK = new Set<Notification['kind']>(['firing', 'update', 'reminder', 'regression', 'escalated']);

/** Control characters from logs must not reach the operator's terminal (escape-sequence injection). */
const clean = (s: string | null | undefined): string => terminalSafe(s ?? '');

/** One alert block as printed on the console, without colour; times in `timezone`, ISO 8601 with offset. */
export function formatAlert(n: Notification, timezone: string): string {
  const i = n.incident;
  const head =
    n.kind === 'resolved' ? 'RESOLVED' : n.kind === 'regression' ? 'REGRESSION' : n.kind === 'firing' ? 'NEW' : n.kind.toUpperCase();
  const lines = [
    `${ICON[i.severity]} [${head}] ${i.severity.toUpperCase()} #${i.id} ${clean(i.title)} (${i.ref ?? 'no ref'}, ${i.category})`,
    `   ${clean(i.method ?? '')} ${clean(i.endpoint ?? '?')}  app ${clean(i.appkey ?? '?')}  count ${i.count}  last ${isoInZone(i.last_seen, timezone)}`,
  ];
  if (i.last_description) lines.push(`   error: ${clean(i.error)}: ${clean(i.last_description).slice(0, 300)}`);
  if (i.hint) lines.push(`   fix: ${clean(i.hint)}`);
  if (NEEDS_ACK.has(n.kind)) lines.push(`   ack: apiwatch incident ack ${i.id}`);
  return lines.join('\n') + '\n';
}

/** The colour of an alert's first line: green once resolved, blue once taken, else by severity. */
export function alertTone(n: Notification): Tone {
  return n.kind === 'resolved' ? 'resolved' : n.kind === 'acknowledged' ? 'acknowledged' : n.incident.severity;
}

/** Paints the first line (the text is already terminal-safe, so these are the only escapes in it). */
export function paintFirstLine(text: string, tone: Tone): string {
  const nl = text.indexOf('\n');
  const first = nl < 0 ? text : text.slice(0, nl);
  return `\u001b[${SGR[tone]}m${first}\u001b[0m${nl < 0 ? '' : text.slice(nl)}`;
}

export function isTone(s: unknown): s is Tone {
  return typeof s === 'string' && Object.hasOwn(SGR, s);
}
