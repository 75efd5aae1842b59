import type { Severity } from '../classify/types.js';
import { clean, delta, endpointOf, esc, fmtAge, fmtInt, fmtTime, truncate, type Delta } from './format.js';
import { causeName, TOP_PER_CAUSE, type CauseGroup, type CauseRow, type Count } from './causes.js';
import { catLabel, fixText, labels, sevLabel, type Labels } from './i18n.js';
import { periodLabel } from './period.js';
import type { DigestData, DigestIncident } from './query.js';
import { digestSubject } from './subject.js';
import {
  ACTION_TARGETS, actionableCauses, ackCommand, expectedCauses, FULL_CAUSE_ROWS, foldedNames, GROUP_INCIDENTS,
  incidentsCommand, incidentUrl, LAST_ERROR_CHARS, lastError, SECTION_CAUSES, sectionOrder, type SectionId, type ViewOptions,
} from './view.js';

/*
 * Email-client-safe HTML: nested tables, inline styles, bgcolor attributes, no images, no
 * scripts, no <style> block (Gmail strips some, Outlook's Word engine ignores most CSS), and a
 * 600 px column (max-width, plus a fixed-width MSO-only wrapper because Outlook ignores
 * max-width). Every value that came from a log passes through esc().
 */

export type RenderOptions = ViewOptions;

/** The note for a digest rendered more than 10 minutes after its send time (daemon was down). */
export function lateNote(d: DigestData, opts: RenderOptions): string | null {
  if (opts.dueAt === undefined || d.generatedAt - opts.dueAt < 10 * 60_000) return null;
  return labels(opts.language).late(fmtTime(opts.dueAt, d.period.timezone));
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

function badge(s: Severity, L: Labels): string {
  return `<span style="display:inline-block;padding:1px 6px;border-radius:3px;background:${SEV_COLOR[s] ?? MUTED};color:#ffffff;font-size:11px;font-weight:bold;text-transform:uppercase;white-space:nowrap;">${esc(sevLabel(L, s))}</span>`;
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

const CHART_H = 80;

/** A bar chart from table cells: one column per bucket, bar height in px, labels below. */
function chart(d: DigestData, L: Labels): string {
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
  const peakText = esc(peak && peak.count
    ? L.peak(d.chart.unit, peak.label, fmtInt(peak.count), fmtInt(max), d.period.timezone)
    : L.noCalls(d.period.timezone));
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="table-layout:fixed;border-bottom:1px solid #afb8c1;">
<tr>${cols}</tr></table>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="table-layout:fixed;"><tr>${labels}</tr></table>
${para(peakText, MUTED).replace('margin:0 0 8px 0', 'margin:6px 0 0 0;font-size:12px')}`;
}


interface HtmlCtx {
  d: DigestData;
  L: Labels;
  opts: ViewOptions;
}

const small = (t: string) => `<span style="color:${MUTED};font-size:12px;">${t}</span>`;
const mono = (t: string) => `<span style="font-family:${MONO};font-size:12px;">${t}</span>`;
const cell = 'padding:4px 6px;border-bottom:1px solid #eaeef2;vertical-align:top;';

function named<T>(list: Count<T>[], name: (x: T) => string, max: number): string {
  const shown = list.slice(0, max).map((x) => `${mono(esc(name(x.item)))} ${fmtInt(x.count)}`);
  return shown.join(' · ') + (list.length > max ? ` ${small(`+${list.length - max}`)}` : '');
}

function fixHtml(c: HtmlCtx, hint: string, hintZh: string, category: string): string {
  const f = fixText(c.opts.language, clean(hint), clean(hintZh), category);
  let out = f.text ? `<div style="margin-top:4px;"><b>${esc(c.L.fix)}:</b> ${esc(f.text)}</div>` : '';
  if (f.english) out += `<div style="margin-top:2px;font-size:12px;color:${MUTED};">${esc(c.L.fixEnglish)}: ${esc(f.english)}</div>`;
  return out;
}

function box(color: string, inner: string): string {
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 10px 0;border-left:4px solid ${color};background:#f6f8fa;">
<tr><td style="padding:8px 10px;font-size:13px;${WRAP}">${inner}</td></tr></table>`;
}

function targets<T>(list: T[], show: (x: T) => string): string {
  return list.slice(0, ACTION_TARGETS).map(show).join(', ') + (list.length > ACTION_TARGETS ? ` ${small(`+${list.length - ACTION_TARGETS}`)}` : '');
}

function lastHtml(c: HtmlCtx, g: CauseGroup): string {
  const last = lastError(g);
  return last ? `<div style="font-size:12px;margin-top:2px;color:${MUTED};">${esc(c.L.lastError)}: ${mono(esc(truncate(clean(last), LAST_ERROR_CHARS)))}</div>` : '';
}

function actions(c: HtmlCtx): string {
  const { d, L } = c;
  const n = d.actions.reduce((s, g) => s + g.incidents.length, 0);
  if (!d.actions.length) return section(`${esc(L.actions)} (0)`, para(esc(L.actionsNone), '#1a7f37'));
  const items = d.actions.map((g, k) => {
    let act: string;
    if (c.opts.publicUrl) {
      const links = g.incidents.slice(0, GROUP_INCIDENTS).map((i) => `<a href="${esc(incidentUrl(c.opts.publicUrl!, i.id))}" style="color:#0969da;">#${i.id}</a>`);
      const left = g.incidents.length - links.length;
      act = `<b>${esc(L.open)}:</b> ${links.join(' ')}${left > 0 ? ` ${small(`+${left}: ${mono(esc(incidentsCommand(g.key, 'firing')))}`)}` : ''}`;
    } else {
      const ack = ackCommand(g);
      act = `<b>${esc(L.ack)}:</b> ${mono(esc(ack.command))}${ack.rest ? ` ${small(mono(esc(ack.rest)))}` : ''}`;
    }
    return box(SEV_COLOR[g.severity] ?? MUTED, [
      `<div>${k + 1}. ${badge(g.severity, L)} <b>${esc(causeName(g.key))}</b> ${esc(g.title)}</div>`,
      `<div style="font-size:12px;margin-top:2px;"><b>${fmtInt(g.calls)}</b> ${esc(L.calls)} · ${esc(L.incidentsOpen(g.incidents.length))} · <span style="color:#b42318;">${esc(L.openFor(fmtAge(d.generatedAt - g.since)))}</span></div>`,
      `<div style="font-size:12px;margin-top:2px;">${esc(L.apps)}: ${targets(g.apps, (a) => mono(esc(a || '(unknown)')))}</div>`,
      `<div style="font-size:12px;margin-top:2px;">${esc(L.endpoints)}: ${targets(g.endpoints, (e) => mono(esc(endpointOf(e.method, e.endpoint))))}</div>`,
      fixHtml(c, g.hint, g.hintZh, g.category),
      lastHtml(c, g),
      `<div style="margin-top:4px;font-size:12px;">${act}</div>`,
    ].join('\n'));
  });
  return section(`${esc(L.actions)} (${d.actions.length})`, para(esc(`${L.actionsIntro} ${L.incidentsOpen(n)}.`), MUTED) + items.join('\n'));
}

function causeRowHtml(c: HtmlCtx, r: CauseRow): string {
  const { L } = c;
  return `<tr><td style="${cell}width:52px;text-align:right;white-space:nowrap;" align="right"><b>${fmtInt(r.calls)}</b><br>${deltaHtml(delta(r.calls, r.prev))}</td>
<td style="${cell}${WRAP}">${badge(r.severity, L)} <b>${esc(causeName(r.key))}</b> ${esc(r.title)} ${small(`${esc(catLabel(L, r.category))} · ${fmtInt(r.incidents)} ${esc(L.incidents)}`)}
<div style="font-size:12px;margin-top:2px;">${esc(L.apps)}: ${named(r.apps, (a) => a || '(unknown)', TOP_PER_CAUSE)}</div>
<div style="font-size:12px;margin-top:2px;">${esc(L.endpoints)}: ${named(r.endpoints, (e) => endpointOf(e.method, e.endpoint), TOP_PER_CAUSE)}</div>
<div style="font-size:12px;">${fixHtml(c, r.hint, r.hintZh, r.category)}</div>${r.lastError ? `<div style="font-size:12px;margin-top:2px;color:${MUTED};">${esc(L.lastError)}: ${mono(esc(truncate(clean(r.lastError), LAST_ERROR_CHARS)))}</div>` : ''}</td></tr>`;
}

function causes(c: HtmlCtx): string {
  const { d, L } = c;
  const rows = actionableCauses(d);
  const full = rows.slice(0, FULL_CAUSE_ROWS).map((r) => causeRowHtml(c, r));
  const tail = rows.slice(FULL_CAUSE_ROWS);
  let folded = '';
  if (tail.length) {
    const lines = tail.map(
      (r) => `<tr><td style="${cell}text-align:right;white-space:nowrap;" align="right">${fmtInt(r.calls)} ${deltaHtml(delta(r.calls, r.prev))}</td><td style="${cell}${WRAP}"><b>${esc(causeName(r.key))}</b> ${esc(truncate(r.title, 90))} ${small(`${esc(sevLabel(L, r.severity))} · ${fmtInt(r.incidents)} ${esc(L.incidents)}`)}</td></tr>`,
    );
    folded = `<tr><td colspan="2" style="padding:10px 6px 4px 6px;font-weight:bold;">${esc(L.otherCauses(tail.length, fmtInt(tail.reduce((n, r) => n + r.calls, 0))))}</td></tr>\n${lines.join('\n')}`;
  }
  return section(
    esc(L.causes(rows.length)),
    para(small(esc(`${L.causesIntro} ${L.calls} / ${L.change} ${L.vsPrevious(periodLabel(d.previous))}`))) +
      `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;font-size:13px;table-layout:fixed;">
<tr><td style="width:64px;"></td><td></td></tr>
${full.join('\n')}
${folded}</table>`,
  );
}

function expected(c: HtmlCtx): string {
  const rows = expectedCauses(c.d);
  const items = rows.map((r) => `<span style="white-space:nowrap;">${mono(esc(causeName(r.key)))} ${esc(truncate(r.title, 60))} ${fmtInt(r.calls)}</span>`);
  return `<tr><td style="padding:12px 20px 4px 20px;font-size:12px;color:${MUTED};${WRAP}"><b>${esc(c.L.expected(rows.length))}</b> · ${esc(c.L.expectedIntro)}<br>${items.join(' · ')}</td></tr>`;
}

function incidentLine(i: DigestIncident): string {
  return `<div style="font-size:12px;margin-top:2px;${WRAP}">${mono(`#${i.id} ${esc(endpointOf(i.method, i.endpoint))}${i.appkey ? ` ${esc(i.appkey)}` : ''}`)} ${small(`(${fmtInt(i.periodCount)})`)}</div>`;
}

function groupHtml(c: HtmlCtx, g: CauseGroup, counts: string): string {
  const left = g.incidents.length - GROUP_INCIDENTS;
  return `<div style="margin:0 0 8px 0;padding:4px 10px;border-left:4px solid ${SEV_COLOR[g.severity] ?? MUTED};font-size:13px;${WRAP}">${badge(g.severity, c.L)} <b>${esc(causeName(g.key))}</b> ${esc(g.title)} ${small(`${esc(counts)} · ${fmtInt(g.calls)} ${esc(c.L.calls)}`)}
${g.incidents.slice(0, GROUP_INCIDENTS).map(incidentLine).join('\n')}${left > 0 ? `\n<div style="font-size:12px;color:${MUTED};">${esc(c.L.more(left, ''))}${mono(esc(incidentsCommand(g.key)))}</div>` : ''}</div>`;
}

function changed(c: HtmlCtx): string {
  const { d, L } = c;
  const nReg = d.changed.reduce((n, x) => n + x.regressedIds.size, 0);
  const title = esc(`${L.newRegressed} (${L.newN(d.counts.newIncidents)}, ${L.regressedN(nReg)})`);
  if (!d.changed.length) return section(title, para(esc(L.noNew), MUTED));
  const items = d.changed.slice(0, SECTION_CAUSES).map((x) => groupHtml(c, x.group, `${L.newN(x.newIds.size)}, ${L.regressedN(x.regressedIds.size)}`));
  const rest = d.changed.slice(SECTION_CAUSES);
  const more = rest.length ? para(small(esc(L.moreCauses(rest.length, foldedNames(rest.map((x) => x.group)))) + ` (${mono(esc(incidentsCommand('')))})`)) : '';
  return section(title, items.join('\n') + more);
}

function resolved(c: HtmlCtx): string {
  const { d, L } = c;
  const title = esc(`${L.resolved} (${d.counts.resolved})`);
  if (!d.resolvedByCause.length) return section(title, para(esc(L.noResolved), MUTED));
  const items = d.resolvedByCause.slice(0, SECTION_CAUSES).map((g) => groupHtml(c, g, `${g.incidents.length} ${L.incidents}`));
  const rest = d.resolvedByCause.slice(SECTION_CAUSES);
  const more = rest.length ? para(small(esc(L.moreCauses(rest.length, foldedNames(rest))) + ` (${mono(esc(incidentsCommand('', 'resolved')))})`)) : '';
  return section(title, items.join('\n') + more);
}

function endpoints(c: HtmlCtx): string {
  const { d, L } = c;
  const th = (t: string, align: string) => `<th align="${align}" style="padding:4px 6px;border-bottom:2px solid #d0d7de;font-size:12px;color:${MUTED};text-align:${align};">${esc(t)}</th>`;
  const rows = d.endpoints.map(
    (e) => `<tr><td style="${cell}${WRAP}">${mono(esc(endpointOf(e.method, e.endpoint)))}<div style="font-size:11px;color:${MUTED};">${esc(L.causesCol)}: ${e.causes.slice(0, TOP_PER_CAUSE).map((k) => `${esc(causeName(k.item))} ${fmtInt(k.count)}`).join(' · ')}${e.causes.length > TOP_PER_CAUSE ? ` +${e.causes.length - TOP_PER_CAUSE}` : ''}</div></td>
<td align="right" style="${cell}text-align:right;white-space:nowrap;">${fmtInt(e.count)}<br>${deltaHtml(delta(e.count, e.prev))}</td></tr>`,
  );
  return section(esc(L.topEndpoints), `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;font-size:13px;">
<tr>${th(L.endpoint, 'left')}${th(L.failed, 'right')}</tr>
${rows.join('\n')}</table>`);
}

function chartSection(c: HtmlCtx): string {
  const tz = c.d.period.timezone;
  return section(esc(c.d.chart.unit === 'hour' ? c.L.perHour(tz) : c.L.perDay(tz)), chart(c.d, c.L));
}

function dead(c: HtmlCtx): string {
  const { d, L } = c;
  const list = d.deadLetters ?? [];
  if (!list.length) return section(esc(L.deadLetters(0)), para(esc(L.allDelivered), MUTED));
  const items = list.map(
    (x) => `<li style="margin:0 0 4px 0;${WRAP}">${x.cause ? `<b>${esc(causeName(x.cause))}</b>: ` : ''}<b>${esc(x.channel)}</b> → ${esc(truncate(x.target, 80))} · ${esc(x.kind)}${x.incident_id !== null ? ` · #${x.incident_id}` : ''} · ${esc(L.attempts(x.attempts))} · ${fmtTime(x.created_at, d.period.timezone)}<br>${small(mono(esc(truncate(x.last_error ?? '', 200))))}</li>`,
  );
  return section(esc(L.deadLetters(list.length)), `<ul style="margin:0;padding:0 0 0 18px;">${items.join('\n')}</ul>`);
}

function silences(c: HtmlCtx): string {
  const { d, L } = c;
  const list = d.silences ?? [];
  if (!list.length) return section(esc(L.silences(0)), para(esc(L.noSilences), MUTED));
  const items = list.map(
    (s) => `<li style="margin:0 0 4px 0;${WRAP}">${mono(s.matchers.map((m) => `${esc(m.name)}=${esc(m.value)}`).join(', ') || '(all)')} ${esc(L.until)} ${fmtTime(s.ends_at, d.period.timezone)}${s.created_by ? ` · ${esc(L.by)} ${esc(s.created_by)}` : ''}${s.comment ? ` · ${esc(truncate(s.comment, 120))}` : ''}</li>`,
  );
  return section(esc(L.silences(list.length)), `<ul style="margin:0;padding:0 0 0 18px;">${items.join('\n')}</ul>`);
}

const SECTIONS: Record<SectionId, (c: HtmlCtx) => string> = { actions, causes, expected, changed, resolved, endpoints, chart: chartSection, dead, silences };

function headline(c: HtmlCtx): string {
  const { d, L } = c;
  if (d.total === 0) return para(`<b>${esc(L.noFailed)}</b>`);
  const n = d.actions.reduce((s, g) => s + g.incidents.length, 0);
  const tot = delta(d.total, d.prevTotal);
  return para(`<b>${esc(L.failedCalls(fmtInt(d.total)))}</b> ${deltaHtml(tot)} ${small(esc(L.vsPrevious(periodLabel(d.previous))))} · <b style="color:${d.actions.length ? '#b42318' : '#1a7f37'};">${esc(L.causesNeedAction(d.actions.length, n))}</b>`) +
    (d.appkeys.length ? para(`${esc(L.apps)}: ${d.appkeys.map((a) => `${mono(esc(a.appkey || '(unknown)'))} ${fmtInt(a.count)}`).join(' · ')}`, MUTED) : '');
}

export function renderHtml(d: DigestData, opts: RenderOptions): string {
  const L = labels(opts.language);
  const c: HtmlCtx = { d, L, opts };
  const label = periodLabel(d.period);
  const tz = d.period.timezone;
  const notes: string[] = [];
  if (d.partial) notes.push(esc(L.soFar(fmtTime(d.generatedAt, tz))));
  if (d.period.days > 1) notes.push(esc(L.catchUp(d.period.days, label)));
  if (opts.droppedDays) notes.push(esc(L.dropped(opts.droppedDays)));
  const late = lateNote(d, opts);
  if (late) notes.push(esc(late));
  const parts: string[] = [
    `<tr><td style="padding:18px 20px 8px 20px;background:#24292f;color:#ffffff;">
<div style="font-size:12px;color:#d0d7de;">${esc(L.brand)}</div>
<h1 style="margin:2px 0 0 0;font-size:20px;line-height:1.3;color:#ffffff;font-family:${FONT};">${esc(L.title(label))}</h1>
<div style="font-size:12px;color:#d0d7de;">${fmtTime(d.period.start, tz)} – ${fmtTime(d.period.end, tz)} ${esc(tz)}</div>
</td></tr>`,
    `<tr><td style="padding:14px 20px 0 20px;${WRAP}">${notes.map((n) => para(n, '#9a6700')).join('')}${headline(c)}</td></tr>`,
  ];
  for (const id of sectionOrder(d)) parts.push(SECTIONS[id](c));
  parts.push(`<tr><td style="padding:16px 20px 18px 20px;font-size:11px;color:${MUTED};border-top:1px solid #eaeef2;${WRAP}">
${esc(L.generated(`${fmtTime(d.generatedAt, tz)} ${tz}`, periodLabel(d.previous)))}
</td></tr>`);
  return `<!DOCTYPE html>
<html lang="${opts.language === 'zh' ? 'zh' : 'en'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light"><title>${esc(digestSubject(d, opts.language))}</title></head>
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
