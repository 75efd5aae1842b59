import { CATEGORIES, SEVERITIES } from '../classify/types.js';
import { ackOf, clean, delta, endpointOf, fmtAge, fmtInt, fmtTime, hintOf, truncate, type Language } from './format.js';
import { periodLabel } from './period.js';
import type { DigestData, DigestIncident } from './query.js';
import { lateNote, type RenderOptions } from './render-html.js';

/** The text/plain alternative: the same sections as the HTML, readable in a terminal or a plain-text client. */

function heading(t: string): string {
  return `\n${t}\n${'-'.repeat(t.length)}`;
}

function incident(i: DigestIncident, d: DigestData, lang: Language, showOpen: boolean): string {
  const tz = d.period.timezone;
  const lines = [
    `* [${i.severity.toUpperCase()}] ${clean(i.ref ?? '-')} ${clean(i.title)} (#${i.id}, ${clean(i.category)})`,
    `  ${endpointOf(i.method, i.endpoint)}${i.appkey ? `  ${clean(i.appkey)}` : ''}${i.status !== null ? `  HTTP ${i.status}` : ''}`,
    `  ${fmtInt(i.periodCount)} in period, ${fmtInt(i.count)} total; first ${fmtTime(i.first_seen, tz)}, last ${fmtTime(i.last_seen, tz)}`,
  ];
  if (showOpen) lines.push(`  open for ${fmtAge(d.generatedAt - i.first_seen)}, ${ackOf(i, tz)}`);
  if (i.last_description) lines.push(`  last error: ${truncate(clean(`${i.error ? `${i.error}: ` : ''}${i.last_description}`), 240)}`);
  const hint = hintOf(i, lang);
  if (hint) lines.push(`  fix: ${hint}`);
  return lines.join('\n');
}

function incidents(
  title: string, list: DigestIncident[], total: number, d: DigestData, lang: Language, showOpen: boolean, empty: string, shown: Set<number>,
): string[] {
  const out = [heading(`${title} (${total})`)];
  if (!list.length) out.push(empty);
  for (const i of list) {
    if (shown.has(i.id)) {
      // Already shown in full above: one line.
      const open = showOpen ? `, open for ${fmtAge(d.generatedAt - i.first_seen)}, ${ackOf(i, d.period.timezone)}` : '';
      out.push(`* [${i.severity.toUpperCase()}] ${clean(i.ref ?? '-')} ${clean(i.title)} (#${i.id}): ${fmtInt(i.periodCount)} in period${open} (details above)`);
      continue;
    }
    shown.add(i.id);
    out.push(incident(i, d, lang, showOpen));
  }
  if (total > list.length) out.push(`...and ${total - list.length} more (apiwatch incidents)`);
  return out;
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

function cellText(count: number, prev: number): string {
  const dl = delta(count, prev).text;
  return `${fmtInt(count)}${dl ? ` ${dl}` : ''}`;
}

export function renderText(d: DigestData, opts: RenderOptions): string {
  const lang = opts.language;
  const tz = d.period.timezone;
  const label = periodLabel(d.period);
  const out: string[] = [
    `apiwatch daily digest: failed Easemob API calls, ${label}`,
    `${fmtTime(d.period.start, tz)} - ${fmtTime(d.period.end, tz)} ${tz}`,
  ];
  if (d.period.days > 1) out.push(`This catch-up digest covers ${d.period.days} days (${label}): the daily digest could not go out at its usual time.`);
  if (opts.droppedDays) out.push(`${opts.droppedDays} earlier missed day(s) are not included.`);
  const late = lateNote(d, opts);
  if (late) out.push(late);
  out.push('');
  const shown = new Set<number>();
  if (d.total === 0) {
    out.push('No failed calls to the Easemob / Agora Chat REST API in this period.');
  } else {
    const sev = SEVERITIES.filter((s) => d.bySeverity[s].count > 0).map((s) => `${fmtInt(d.bySeverity[s].count)} ${s}`);
    out.push(`${fmtInt(d.total)} failed calls (${delta(d.total, d.prevTotal).text || 'no change'} vs ${periodLabel(d.previous)}): ${sev.join(', ')}`);
    if (d.appkeys.length) out.push(`Apps: ${d.appkeys.map((a) => `${clean(a.appkey || '(unknown)')} ${fmtInt(a.count)}`).join(', ')}`);

    out.push(heading('Summary by category and severity'));
    const w = 16;
    out.push(pad('category', 12) + SEVERITIES.map((s) => pad(s, w, true)).join('') + pad('total', w, true));
    for (const c of CATEGORIES.filter((c) => d.matrix.some((m) => m.category === c))) {
      const cells = SEVERITIES.map((s) => d.matrix.find((m) => m.category === c && m.severity === s) ?? { count: 0, prev: 0 });
      const cur = cells.reduce((n, x) => n + x.count, 0);
      const prev = cells.reduce((n, x) => n + x.prev, 0);
      out.push(pad(c, 12) + cells.map((x) => pad(cellText(x.count, x.prev), w, true)).join('') + pad(cellText(cur, prev), w, true));
    }
    out.push(pad('all', 12) + SEVERITIES.map((s) => pad(cellText(d.bySeverity[s].count, d.bySeverity[s].prev), w, true)).join('') + pad(cellText(d.total, d.prevTotal), w, true));

    out.push(heading(d.chart.unit === 'hour' ? `Failed calls per hour (${tz})` : `Failed calls per day (${tz})`));
    const max = Math.max(1, ...d.chart.bars.map((b) => b.count));
    for (const b of d.chart.bars) {
      const n = b.count ? Math.max(1, Math.round((b.count / max) * 40)) : 0;
      out.push(`${pad(b.label, 5)} ${pad(fmtInt(b.count), 7, true)} ${'#'.repeat(n)}`);
    }
    out.push(...incidents('New incidents', d.newIncidents, d.counts.newIncidents, d, lang, false, 'No new incidents.', shown));
    out.push(...incidents('Regressions', d.regressions, d.counts.regressions, d, lang, false, 'No incident came back after resolving.', shown));
  }
  out.push(...incidents('Still open', d.open, d.counts.open, d, lang, true, 'Nothing is open.', shown));
  if (d.total > 0 || d.counts.resolved > 0) {
    out.push(...incidents('Resolved', d.resolved, d.counts.resolved, d, lang, false, 'No incident resolved in this period.', shown));
  }
  if (d.total > 0) {
    out.push(heading('Top endpoints by failed calls'));
    for (const e of d.endpoints) {
      out.push(`${pad(fmtInt(e.count), 8, true)}  ${pad(delta(e.count, e.prev).text, 8)} ${endpointOf(e.method, e.endpoint)}`);
    }
  }
  if (d.deadLetters !== null) {
    out.push(heading(`Undelivered notifications (${d.deadLetters.length})`));
    if (!d.deadLetters.length) out.push('Every notification in this period was delivered.');
    for (const x of d.deadLetters) {
      out.push(`* ${clean(x.channel)} -> ${truncate(clean(x.target), 80)}, ${clean(x.kind)}${x.incident_id !== null ? `, incident #${x.incident_id}` : ''}, ${x.attempts} attempts, ${fmtTime(x.created_at, tz)}`);
      if (x.last_error) out.push(`  ${truncate(clean(x.last_error), 200)}`);
    }
  }
  if (d.silences !== null) {
    out.push(heading(`Active silences (${d.silences.length})`));
    if (!d.silences.length) out.push('No alerts are silenced.');
    for (const s of d.silences) {
      const m = s.matchers.map((x) => `${clean(x.name)}=${clean(x.value)}`).join(', ') || '(all)';
      out.push(`* ${m} until ${fmtTime(s.ends_at, tz)}${s.created_by ? ` by ${clean(s.created_by)}` : ''}${s.comment ? `: ${truncate(clean(s.comment), 120)}` : ''}`);
    }
  }
  out.push('', `Generated ${fmtTime(d.generatedAt, tz)} ${tz} by apiwatch. Acknowledge: apiwatch incident ack <id>; details: apiwatch incidents.`);
  return out.join('\n') + '\n';
}
