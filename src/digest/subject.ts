import { SEVERITIES } from '../classify/types.js';
import { clean, fmtInt, truncate } from './format.js';
import { periodLabel } from './period.js';
import type { DigestData } from './query.js';

/**
 * `[apiwatch] 2026-11-27 org#app — 2 critical, 5 error, 31 warning`: failed calls by severity,
 * worst first, zero counts left out, so the inbox line alone tells how bad yesterday was.
 */
export function digestSubject(d: DigestData): string {
  const when = periodLabel(d.period) + (d.period.days > 1 ? ' (catch-up)' : '');
  const apps = d.appkeys.filter((a) => a.appkey);
  const appText = apps.length === 0 ? '' : apps.length <= 2 ? apps.map((a) => a.appkey).join(', ') : `${apps[0].appkey} +${apps.length - 1} apps`;
  const counts = SEVERITIES.filter((s) => d.bySeverity[s].count > 0).map((s) => `${fmtInt(d.bySeverity[s].count)} ${s}`);
  const tail = d.total === 0 ? 'no failed calls' : counts.join(', ');
  // Header injection is impossible (CR/LF are cleaned), and a long appkey cannot push the counts out of view.
  return clean(`[apiwatch] ${when}${appText ? ` ${truncate(appText, 60)}` : ''} — ${tail}`);
}
