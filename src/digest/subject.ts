import { severityRank } from '../classify/types.js';
import { clean, fmtInt, truncate, type Language } from './format.js';
import { sevLabel, labels } from './i18n.js';
import { causeName } from './causes.js';
import { periodLabel } from './period.js';
import type { DigestData } from './query.js';

/** A cause's title in the subject: long enough to recognise, short enough for a phone's inbox. */
const SUBJECT_TITLE = 48;

/**
 * `[apiwatch] 2026-12-01: E20 corrupt app token (critical, 86 calls) + 9 more causes, 952 failed calls`:
 * the day, the worst cause (highest severity, then most calls) and the totals, so the inbox line
 * alone says what to look at first.
 */
export function digestSubject(d: DigestData, lang: Language = 'en'): string {
  const zh = lang === 'zh';
  const when = periodLabel(d.period) + (d.period.days > 1 ? (zh ? '（补发）' : ' (catch-up)') : d.partial ? (zh ? '（截至目前）' : ' (so far)') : '');
  if (d.total === 0) return clean(`[apiwatch] ${when}: ${zh ? '没有失败的调用' : 'no failed calls'}`);
  const worst = [...d.causes].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || b.calls - a.calls)[0];
  const others = d.causes.length - 1;
  const title = truncate(clean(worst.title), SUBJECT_TITLE);
  // Header injection is impossible: clean() turns CR/LF and other controls into spaces.
  if (zh) {
    const head = `${causeName(worst.key)} ${title}（${sevLabel(labels('zh'), worst.severity)}，${fmtInt(worst.calls)} 次）`;
    return clean(`[apiwatch] ${when}：${head}${others > 0 ? ` + 另外 ${others} 个原因` : ''}，共 ${fmtInt(d.total)} 次调用失败`);
  }
  const head = `${causeName(worst.key)} ${title} (${worst.severity}, ${fmtInt(worst.calls)} call${worst.calls === 1 ? '' : 's'})`;
  const more = others > 0 ? ` + ${others} more cause${others === 1 ? '' : 's'}` : '';
  return clean(`[apiwatch] ${when}: ${head}${more}, ${fmtInt(d.total)} failed call${d.total === 1 ? '' : 's'}`);
}
