import { CATEGORIES, SEVERITIES, type Severity } from '../classify/types.js';
import {
  ackOf, delta, endpointOf, esc, fmtAge, fmtInt, fmtTime, hintOf, truncate, type Delta, type Language,
} from './format.js';
import { periodLabel } from './period.js';
import type { DigestData, DigestIncident } from './query.js';
import { digestSubject } from './subject.js';

/*
 * Email-client-safe HTML: nested tables, inline styles, bgcolor attributes, no images, no
 * scripts, no <style> block (Gmail strips some, Outlook's Word engine ignores most CSS), and a
 * 600 px column (max-width, plus a fixed-width MSO-only wrapper because Outlook ignores
 * max-width). Every value that came from a log passes through esc().
 */

export interface RenderOptions {
  language: Language;
  /** Missed days left out of a capped catch-up. */
  droppedDays?: number;
  /** When the scheduled digest was due; a note says so when it goes out well after that. */
  dueAt?: number;
}

/** The note for a digest rendered more than 10 minutes after its send time (daemon was down). */
export function lateNote(d: DigestData, opts: RenderOptions): string | null {
  if (opts.dueAt === undefined || d.generatedAt - opts.dueAt < 10 * 60_000) return null;
  return `This digest was due at ${fmtTime(opts.dueAt, d.period.timezone)} and goes out late: apiwatch was not running then.`;
}

const SEV_COLOR: Record<Severity, string> = { critical: '#b42318', error: '#c4320a', warning: '#9a6700', info: '#57606a' };
const FONT = "-apple-system,'Segoe UI',Helvetica,Arial,sans-serif";
const MONO = "SFMono-Regular,Consolas,'Liberation Mono',Menlo,monospace";
const WRAP = 'word-break:break-word;overflow-wrap:anywhere;';
const MUTED = '#57606a';

function deltaHtml(d: Delta): string {
  if (d.dir === 'none') return '';
  // More failed calls is bad news: red up, green down.
  const color = d.dir === 'up' ? '#b42318' : d.dir === 'down' ? '#1a7f37' : MUTED;
  return `<span style="color:${color};font-size:11px;white-space:nowrap;">${esc(d.text)}</span>`;
}

function badge(s: Severity): string {
  return `<span style="display:inline-block;padding:1px 6px;border-radius:3px;background:${SEV_COLOR[s] ?? MUTED};color:#ffffff;font-size:11px;font-weight:bold;text-transform:uppercase;">${esc(s)}</span>`;
}

function section(title: string, inner: string): string {
  return `<tr><td style="padding:18px 20px 4px 20px;${WRAP}">
<h2 style="margin:0 0 8px 0;font-size:16px;line-height:1.3;color:#1f2328;font-family:${FONT};">${title}</h2>
${inner}
</td></tr>`;
}

function para(text: string, color = '#1f2328'): string {
  return `<p style="margin:0 0 8px 0;color:${color};${WRAP}">${text}</p>`;
}

function incidentBlock(i: DigestIncident, d: DigestData, lang: Language, showOpen: boolean): string {
  const tz = d.period.timezone;
  const lines = [
    `<div>${badge(i.severity)} <b>${esc(i.ref ?? '—')}</b> · ${esc(i.title)} <span style="color:${MUTED};">#${i.id} · ${esc(i.category)}</span></div>`,
    `<div style="font-family:${MONO};font-size:12px;margin-top:2px;">${esc(endpointOf(i.method, i.endpoint))}${i.appkey ? ` · ${esc(i.appkey)}` : ''}${i.status !== null ? ` · HTTP ${i.status}` : ''}</div>`,
    `<div style="color:${MUTED};font-size:12px;margin-top:2px;">${fmtInt(i.periodCount)} failed calls in period · ${fmtInt(i.count)} total · first ${fmtTime(i.first_seen, tz)} · last ${fmtTime(i.last_seen, tz)}</div>`,
  ];
  if (showOpen) {
    const acked = i.state === 'acknowledged';
    lines.push(
      `<div style="font-size:12px;margin-top:2px;">open for ${fmtAge(d.generatedAt - i.first_seen)} · <span style="color:${acked ? '#1a7f37' : '#b42318'};">${esc(ackOf(i, tz))}</span></div>`,
    );
  }
  if (i.last_description) {
    lines.push(`<div style="font-size:12px;margin-top:2px;color:${MUTED};">Last error: <span style="font-family:${MONO};">${esc(truncate(`${i.error ? `${i.error}: ` : ''}${i.last_description}`, 240))}</span></div>`);
  }
  const hint = hintOf(i, lang);
  if (hint) lines.push(`<div style="margin-top:4px;"><b>Fix:</b> ${esc(hint)}</div>`);
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 10px 0;border-left:4px solid ${SEV_COLOR[i.severity] ?? MUTED};background:#f6f8fa;">
<tr><td style="padding:8px 10px;font-size:13px;${WRAP}">${lines.join('\n')}</td></tr></table>`;
}

/** An incident already shown in full higher up: one line, so the mail stays readable in a minute. */
function incidentLine(i: DigestIncident, d: DigestData, showOpen: boolean): string {
  const open = showOpen
    ? ` · open for ${fmtAge(d.generatedAt - i.first_seen)} · <span style="color:${i.state === 'acknowledged' ? '#1a7f37' : '#b42318'};">${esc(ackOf(i, d.period.timezone))}</span>`
    : '';
  return `<div style="margin:0 0 6px 0;padding:4px 10px;border-left:4px solid ${SEV_COLOR[i.severity] ?? MUTED};font-size:13px;${WRAP}">${badge(i.severity)} <b>${esc(i.ref ?? '—')}</b> · ${esc(i.title)} <span style="color:${MUTED};">#${i.id}</span> · ${fmtInt(i.periodCount)} in period${open} <span style="color:${MUTED};font-size:12px;">(details above)</span></div>`;
}

function incidentSection(
  title: string, list: DigestIncident[], total: number, d: DigestData, lang: Language, showOpen: boolean, empty: string, shown: Set<number>,
): string {
  if (!list.length) return section(`${title} (0)`, para(empty, MUTED));
  const more = total > list.length ? para(`…and ${total - list.length} more (see <span style="font-family:${MONO};">apiwatch incidents</span>).`, MUTED) : '';
  const items = list.map((i) => {
    if (shown.has(i.id)) return incidentLine(i, d, showOpen);
    shown.add(i.id);
    return incidentBlock(i, d, lang, showOpen);
  });
  return section(`${title} (${total})`, items.join('\n') + more);
}

function summaryTable(d: DigestData): string {
  const th = (t: string, align = 'right') =>
    `<th align="${align}" style="padding:4px 6px;border-bottom:2px solid #d0d7de;font-size:12px;color:${MUTED};text-align:${align};">${t}</th>`;
  const td = (count: number, prev: number, bold = false) =>
    `<td align="right" style="padding:4px 6px;border-bottom:1px solid #eaeef2;text-align:right;vertical-align:top;${bold ? 'font-weight:bold;' : ''}">${count ? fmtInt(count) : '<span style="color:#afb8c1;">0</span>'}<br>${deltaHtml(delta(count, prev))}</td>`;
  const cats = CATEGORIES.filter((c) => d.matrix.some((m) => m.category === c));
  const rows = cats.map((c) => {
    const cells = SEVERITIES.map((s) => d.matrix.find((m) => m.category === c && m.severity === s) ?? { count: 0, prev: 0 });
    const cur = cells.reduce((n, x) => n + x.count, 0);
    const prev = cells.reduce((n, x) => n + x.prev, 0);
    return `<tr><td style="padding:4px 6px;border-bottom:1px solid #eaeef2;font-family:${MONO};font-size:12px;vertical-align:top;">${esc(c)}</td>${cells.map((x) => td(x.count, x.prev)).join('')}${td(cur, prev, true)}</tr>`;
  });
  const totals = SEVERITIES.map((s) => td(d.bySeverity[s].count, d.bySeverity[s].prev, true)).join('');
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;font-size:13px;">
<tr>${th('category', 'left')}${SEVERITIES.map((s) => th(s)).join('')}${th('total')}</tr>
${rows.join('\n')}
<tr><td style="padding:4px 6px;font-weight:bold;">all</td>${totals}${td(d.total, d.prevTotal, true)}</tr>
</table>
${para(`Change against ${esc(periodLabel(d.previous))}.`, MUTED).replace('margin:0 0 8px 0', 'margin:6px 0 0 0;font-size:12px')}`;
}

const CHART_H = 80;

/** A bar chart from table cells: one column per bucket, bar height in px, labels below. */
function chart(d: DigestData): string {
  const bars = d.chart.bars;
  const max = Math.max(1, ...bars.map((b) => b.count));
  const every = d.chart.unit === 'day' ? 1 : bars.length > 30 ? 6 : 3;
  const cols = bars
    .map((b) => {
      const h = b.count ? Math.max(2, Math.round((b.count / max) * CHART_H)) : 1;
      const color = b.count ? '#cf222e' : '#d0d7de';
      return `<td valign="bottom" height="${CHART_H}" title="${esc(b.label)}: ${b.count}" style="height:${CHART_H}px;padding:0 1px;vertical-align:bottom;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr><td height="${h}" bgcolor="${color}" style="height:${h}px;background-color:${color};font-size:0;line-height:0;">&nbsp;</td></tr></table></td>`;
    })
    .join('');
  const labels = bars
    .map((b, i) => `<td align="center" style="padding:2px 0 0 0;font-size:9px;line-height:1;color:${MUTED};text-align:center;">${i % every === 0 ? esc(b.label) : ''}</td>`)
    .join('');
  const peak = bars.reduce((p, b) => (b.count > p.count ? b : p), bars[0]);
  const unit = d.chart.unit === 'hour' ? 'hour' : 'day';
  const peakText = peak && peak.count
    ? `Peak ${unit} ${esc(peak.label)}${unit === 'hour' ? ':00' : ''} with ${fmtInt(peak.count)} failed calls; scale 0–${fmtInt(max)}. Times in ${esc(d.period.timezone)}.`
    : `No failed calls. Times in ${esc(d.period.timezone)}.`;
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="table-layout:fixed;border-bottom:1px solid #afb8c1;">
<tr>${cols}</tr></table>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="table-layout:fixed;"><tr>${labels}</tr></table>
${para(peakText, MUTED).replace('margin:0 0 8px 0', 'margin:6px 0 0 0;font-size:12px')}`;
}

function endpointsTable(d: DigestData): string {
  const rows = d.endpoints.map(
    (e) => `<tr><td style="padding:4px 6px;border-bottom:1px solid #eaeef2;font-family:${MONO};font-size:12px;${WRAP}">${esc(endpointOf(e.method, e.endpoint))}</td>
<td align="right" style="padding:4px 6px;border-bottom:1px solid #eaeef2;text-align:right;white-space:nowrap;">${fmtInt(e.count)}</td>
<td align="right" style="padding:4px 6px;border-bottom:1px solid #eaeef2;text-align:right;white-space:nowrap;">${deltaHtml(delta(e.count, e.prev))}${e.prev ? ` <span style="color:${MUTED};font-size:11px;">(${fmtInt(e.prev)})</span>` : ''}</td></tr>`,
  );
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;font-size:13px;">
<tr><th align="left" style="padding:4px 6px;border-bottom:2px solid #d0d7de;font-size:12px;color:${MUTED};text-align:left;">endpoint</th><th align="right" style="padding:4px 6px;border-bottom:2px solid #d0d7de;font-size:12px;color:${MUTED};text-align:right;">failed</th><th align="right" style="padding:4px 6px;border-bottom:2px solid #d0d7de;font-size:12px;color:${MUTED};text-align:right;">trend</th></tr>
${rows.join('\n')}</table>`;
}

function deadLetters(d: DigestData): string {
  if (d.deadLetters === null) return '';
  if (!d.deadLetters.length) return section('Undelivered notifications (0)', para('Every notification in this period was delivered.', MUTED));
  const items = d.deadLetters.map(
    (x) => `<li style="margin:0 0 4px 0;${WRAP}"><b>${esc(x.channel)}</b> → ${esc(truncate(x.target, 80))} · ${esc(x.kind)}${x.incident_id !== null ? ` · incident #${x.incident_id}` : ''} · ${x.attempts} attempts · ${fmtTime(x.created_at, d.period.timezone)}<br><span style="color:${MUTED};font-size:12px;font-family:${MONO};">${esc(truncate(x.last_error ?? '', 200))}</span></li>`,
  );
  return section(`Undelivered notifications (${d.deadLetters.length})`, `<ul style="margin:0;padding:0 0 0 18px;">${items.join('\n')}</ul>`);
}

function silences(d: DigestData): string {
  if (d.silences === null) return '';
  if (!d.silences.length) return section('Active silences (0)', para('No alerts are silenced.', MUTED));
  const items = d.silences.map(
    (s) => `<li style="margin:0 0 4px 0;${WRAP}"><span style="font-family:${MONO};font-size:12px;">${s.matchers.map((m) => `${esc(m.name)}=${esc(m.value)}`).join(', ') || '(all)'}</span> until ${fmtTime(s.ends_at, d.period.timezone)}${s.created_by ? ` · by ${esc(s.created_by)}` : ''}${s.comment ? ` · ${esc(truncate(s.comment, 120))}` : ''}</li>`,
  );
  return section(`Active silences (${d.silences.length})`, `<ul style="margin:0;padding:0 0 0 18px;">${items.join('\n')}</ul>`);
}

function headline(d: DigestData): string {
  if (d.total === 0) return para('<b>No failed calls</b> to the Easemob / Agora Chat REST API in this period.');
  const parts = SEVERITIES.filter((s) => d.bySeverity[s].count > 0).map(
    (s) => `<span style="white-space:nowrap;">${badge(s)} <b>${fmtInt(d.bySeverity[s].count)}</b></span>`,
  );
  const tot = delta(d.total, d.prevTotal);
  return para(`<b>${fmtInt(d.total)}</b> failed calls ${deltaHtml(tot)} &nbsp; ${parts.join(' &nbsp; ')}`) +
    (d.appkeys.length ? para(`Apps: ${d.appkeys.map((a) => `<span style="font-family:${MONO};font-size:12px;">${esc(a.appkey || '(unknown)')}</span> ${fmtInt(a.count)}`).join(' · ')}`, MUTED) : '');
}

export function renderHtml(d: DigestData, opts: RenderOptions): string {
  const lang = opts.language;
  const label = periodLabel(d.period);
  const notes: string[] = [];
  if (d.period.days > 1) {
    notes.push(`This catch-up digest covers <b>${d.period.days} days</b> (${esc(label)}): the daily digest could not go out at its usual time.`);
  }
  if (opts.droppedDays) notes.push(`${opts.droppedDays} earlier missed day(s) are not included.`);
  const late = lateNote(d, opts);
  if (late) notes.push(esc(late));
  const parts: string[] = [
    `<tr><td style="padding:18px 20px 8px 20px;background:#24292f;color:#ffffff;">
<div style="font-size:12px;color:#d0d7de;">apiwatch daily digest</div>
<h1 style="margin:2px 0 0 0;font-size:20px;line-height:1.3;color:#ffffff;font-family:${FONT};">Failed Easemob API calls · ${esc(label)}</h1>
<div style="font-size:12px;color:#d0d7de;">${fmtTime(d.period.start, d.period.timezone)} – ${fmtTime(d.period.end, d.period.timezone)} ${esc(d.period.timezone)}</div>
</td></tr>`,
    `<tr><td style="padding:14px 20px 0 20px;${WRAP}">${notes.map((n) => para(n, '#9a6700')).join('')}${headline(d)}</td></tr>`,
  ];
  const shown = new Set<number>();
  if (d.total > 0) {
    parts.push(section('Summary by category and severity', summaryTable(d)));
    parts.push(section(d.chart.unit === 'hour' ? 'Failed calls per hour' : 'Failed calls per day', chart(d)));
    parts.push(incidentSection('New incidents', d.newIncidents, d.counts.newIncidents, d, lang, false, 'No new incidents.', shown));
    parts.push(incidentSection('Regressions', d.regressions, d.counts.regressions, d, lang, false, 'No incident came back after resolving.', shown));
  }
  parts.push(incidentSection('Still open', d.open, d.counts.open, d, lang, true, 'Nothing is open.', shown));
  if (d.total > 0 || d.counts.resolved > 0) {
    parts.push(incidentSection('Resolved', d.resolved, d.counts.resolved, d, lang, false, 'No incident resolved in this period.', shown));
  }
  if (d.total > 0) parts.push(section('Top endpoints by failed calls', endpointsTable(d)));
  parts.push(deadLetters(d));
  parts.push(silences(d));
  parts.push(`<tr><td style="padding:16px 20px 18px 20px;font-size:11px;color:${MUTED};border-top:1px solid #eaeef2;${WRAP}">
Generated ${fmtTime(d.generatedAt, d.period.timezone)} ${esc(d.period.timezone)} by apiwatch. Trends compare with ${esc(periodLabel(d.previous))}.
Acknowledge with <span style="font-family:${MONO};">apiwatch incident ack &lt;id&gt;</span>; details with <span style="font-family:${MONO};">apiwatch incidents</span>.
</td></tr>`);
  return `<!DOCTYPE html>
<html lang="${lang === 'zh' ? 'zh' : 'en'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light"><title>${esc(digestSubject(d))}</title></head>
<body style="margin:0;padding:0;background:#f6f8fa;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#f6f8fa" style="background:#f6f8fa;"><tr><td align="center" style="padding:0;">
<!--[if mso]><table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#ffffff" style="max-width:600px;background:#ffffff;font-family:${FONT};font-size:14px;line-height:1.45;color:#1f2328;text-align:left;">
${parts.filter(Boolean).join('\n')}
</table>
<!--[if mso]></td></tr></table><![endif]-->
</td></tr></table>
</body></html>
`;
}
