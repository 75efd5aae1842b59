import { clean, delta, endpointOf, fmtAge, fmtInt, fmtTime, truncate } from './format.js';
import { causeName, TOP_PER_CAUSE, type CauseGroup, type CauseRow, type Count } from './causes.js';
import { catLabel, fixText, labels, sevLabel, type Labels } from './i18n.js';
import { periodLabel } from './period.js';
import type { DigestData, DigestIncident } from './query.js';
import { lateNote } from './render-html.js';
import {
  ACTION_TARGETS, actionableCauses, ackCommand, expectedCauses, FULL_CAUSE_ROWS, foldedNames, GROUP_INCIDENTS,
  incidentsCommand, incidentUrl, LAST_ERROR_CHARS, lastError, SECTION_CAUSES, sectionOrder, type SectionId, type ViewOptions,
} from './view.js';

/** The text/plain alternative: the same sections as the HTML, in the same order, readable in a terminal. */

function heading(t: string): string {
  return `\n${t}\n${'='.repeat(Math.min(72, [...t].length + [...t].filter((c) => c > '\u2e80').length))}`;
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

function named<T>(list: Count<T>[], name: (x: T) => string, max: number): string {
  const shown = list.slice(0, max).map((x) => `${name(x.item)} ${fmtInt(x.count)}`);
  return shown.join(', ') + (list.length > max ? ` +${list.length - max}` : '');
}

function fixLines(L: Labels, d: TextCtx, hint: string, hintZh: string, category: string, indent: string): string[] {
  const f = fixText(d.lang, clean(hint), clean(hintZh), category);
  const out: string[] = [];
  if (f.text) out.push(`${indent}${L.fix}: ${f.text}`);
  if (f.english) out.push(`${indent}${L.fixEnglish}: ${f.english}`);
  return out;
}

interface TextCtx {
  d: DigestData;
  L: Labels;
  lang: ViewOptions['language'];
  opts: ViewOptions;
}

function actions(c: TextCtx): string[] {
  const { d, L } = c;
  const n = d.actions.reduce((s, g) => s + g.incidents.length, 0);
  const out = [heading(`${L.actions} (${d.actions.length})`)];
  if (!d.actions.length) return [...out, L.actionsNone];
  out.push(L.actionsIntro + ` ${L.incidentsOpen(n)}.`);
  d.actions.forEach((g, k) => {
    out.push(
      '',
      `${k + 1}. [${sevLabel(L, g.severity).toUpperCase()}] ${causeName(g.key)} ${clean(g.title)}: ${fmtInt(g.calls)} ${L.calls}, ${L.incidentsOpen(g.incidents.length)}, ${L.openFor(fmtAge(d.generatedAt - g.since))}`,
      `   ${L.apps}: ${g.apps.slice(0, ACTION_TARGETS).map((a) => clean(a || '(unknown)')).join(', ')}${g.apps.length > ACTION_TARGETS ? ` +${g.apps.length - ACTION_TARGETS}` : ''}`,
      `   ${L.endpoints}: ${g.endpoints.slice(0, ACTION_TARGETS).map((e) => endpointOf(e.method, e.endpoint)).join(', ')}${g.endpoints.length > ACTION_TARGETS ? ` +${g.endpoints.length - ACTION_TARGETS}` : ''}`,
      ...fixLines(L, c, g.hint, g.hintZh, g.category, '   '),
    );
    const last = lastError(g);
    if (last) out.push(`   ${L.lastError}: ${truncate(clean(last), LAST_ERROR_CHARS)}`);
    if (c.opts.publicUrl) {
      const urls = g.incidents.slice(0, GROUP_INCIDENTS).map((i) => incidentUrl(c.opts.publicUrl!, i.id));
      const left = g.incidents.length - urls.length;
      out.push(`   ${L.open}: ${urls.join(' ')}${left > 0 ? ` (+${left}: ${incidentsCommand(g.key, 'firing')})` : ''}`);
    } else {
      const ack = ackCommand(g);
      out.push(`   ${L.ack}: ${ack.command}${ack.rest ? ` (${ack.rest})` : ''}`);
    }
  });
  return out;
}

function causeRow(c: TextCtx, r: CauseRow): string[] {
  const { L } = c;
  const dl = delta(r.calls, r.prev).text;
  const lines = [
    `${pad(fmtInt(r.calls), 6, true)} ${pad(dl, 8)} ${causeName(r.key)} ${clean(r.title)} [${sevLabel(L, r.severity)}, ${catLabel(L, r.category)}, ${fmtInt(r.incidents)} ${L.incidents}]`,
    `${' '.repeat(16)}${L.apps}: ${named(r.apps, (a) => clean(a || '(unknown)'), TOP_PER_CAUSE)}`,
    `${' '.repeat(16)}${L.endpoints}: ${named(r.endpoints, (e) => endpointOf(e.method, e.endpoint), TOP_PER_CAUSE)}`,
  ];
  const last = r.lastError ? [`${' '.repeat(16)}${L.lastError}: ${truncate(clean(r.lastError), LAST_ERROR_CHARS)}`] : [];
  return [...lines, ...fixLines(L, c, r.hint, r.hintZh, r.category, ' '.repeat(16)), ...last];
}

function causes(c: TextCtx): string[] {
  const { L } = c;
  const rows = actionableCauses(c.d);
  const out = [heading(L.causes(rows.length)), `${L.causesIntro} ${L.calls} / ${L.change} ${L.vsPrevious(periodLabel(c.d.previous))}`];
  for (const r of rows.slice(0, FULL_CAUSE_ROWS)) out.push('', ...causeRow(c, r));
  const tail = rows.slice(FULL_CAUSE_ROWS);
  if (tail.length) {
    out.push('', `${L.otherCauses(tail.length, fmtInt(tail.reduce((n, r) => n + r.calls, 0)))}:`);
    for (const r of tail) {
      out.push(`${pad(fmtInt(r.calls), 6, true)} ${pad(delta(r.calls, r.prev).text, 8)} ${causeName(r.key)} ${truncate(clean(r.title), 70)} [${sevLabel(L, r.severity)}, ${fmtInt(r.incidents)} ${L.incidents}]`);
    }
  }
  return out;
}

function expected(c: TextCtx): string[] {
  const rows = expectedCauses(c.d);
  return [
    heading(c.L.expected(rows.length)),
    c.L.expectedIntro,
    ...rows.map((r) => `${pad(fmtInt(r.calls), 6, true)}  ${causeName(r.key)} ${clean(r.title)}`),
  ];
}

function incidentLine(i: DigestIncident): string {
  return `#${i.id} ${endpointOf(i.method, i.endpoint)}${i.appkey ? ` ${clean(i.appkey)}` : ''} (${fmtInt(i.periodCount)})`;
}

/** One cause group: a line for the cause, its first incidents, and where the rest are. */
function groupLines(c: TextCtx, g: CauseGroup, counts: string): string[] {
  const { L } = c;
  const out = [`* [${sevLabel(L, g.severity).toUpperCase()}] ${causeName(g.key)} ${clean(g.title)}: ${counts}, ${fmtInt(g.calls)} ${L.calls}`];
  for (const i of g.incidents.slice(0, GROUP_INCIDENTS)) out.push(`    ${incidentLine(i)}`);
  const left = g.incidents.length - GROUP_INCIDENTS;
  if (left > 0) out.push(`    ${L.more(left, incidentsCommand(g.key))}`);
  return out;
}

function changed(c: TextCtx): string[] {
  const { d, L } = c;
  const nNew = d.counts.newIncidents;
  const nReg = d.changed.reduce((n, x) => n + x.regressedIds.size, 0);
  const out = [heading(`${L.newRegressed} (${L.newN(nNew)}, ${L.regressedN(nReg)})`)];
  if (!d.changed.length) return [...out, L.noNew];
  for (const x of d.changed.slice(0, SECTION_CAUSES)) {
    out.push(...groupLines(c, x.group, `${L.newN(x.newIds.size)}, ${L.regressedN(x.regressedIds.size)}`));
  }
  const rest = d.changed.slice(SECTION_CAUSES);
  if (rest.length) out.push(L.moreCauses(rest.length, `${foldedNames(rest.map((x) => x.group))} (${incidentsCommand('')})`));
  return out;
}

function resolved(c: TextCtx): string[] {
  const { d, L } = c;
  const out = [heading(`${L.resolved} (${d.counts.resolved})`)];
  if (!d.resolvedByCause.length) return [...out, L.noResolved];
  for (const g of d.resolvedByCause.slice(0, SECTION_CAUSES)) out.push(...groupLines(c, g, `${g.incidents.length} ${L.incidents}`));
  const rest = d.resolvedByCause.slice(SECTION_CAUSES);
  if (rest.length) out.push(L.moreCauses(rest.length, `${foldedNames(rest)} (${incidentsCommand('', 'resolved')})`));
  return out;
}

function endpoints(c: TextCtx): string[] {
  const { d, L } = c;
  const out = [heading(L.topEndpoints)];
  for (const e of d.endpoints) {
    out.push(`${pad(fmtInt(e.count), 6, true)}  ${pad(delta(e.count, e.prev).text, 8)} ${endpointOf(e.method, e.endpoint)}`);
    out.push(`${' '.repeat(17)}${L.causesCol}: ${named(e.causes, (k) => causeName(k), TOP_PER_CAUSE)}`);
  }
  return out;
}

function chart(c: TextCtx): string[] {
  const { d, L } = c;
  const tz = d.period.timezone;
  const out = [heading(d.chart.unit === 'hour' ? L.perHour(tz) : L.perDay(tz))];
  const max = Math.max(1, ...d.chart.bars.map((b) => b.count));
  for (const b of d.chart.bars) {
    const n = b.count ? Math.max(1, Math.round((b.count / max) * 40)) : 0;
    out.push(`${pad(b.label, 5)} ${pad(fmtInt(b.count), 7, true)} ${'#'.repeat(n)}`);
  }
  return out;
}

function dead(c: TextCtx): string[] {
  const { d, L } = c;
  const list = d.deadLetters ?? [];
  const out = [heading(L.deadLetters(list.length))];
  if (!list.length) return [...out, L.allDelivered];
  for (const x of list) {
    out.push(`* ${x.cause ? `${causeName(x.cause)}: ` : ''}${clean(x.channel)} -> ${truncate(clean(x.target), 80)}, ${clean(x.kind)}${x.incident_id !== null ? `, #${x.incident_id}` : ''}, ${L.attempts(x.attempts)}, ${fmtTime(x.created_at, d.period.timezone)}`);
    if (x.last_error) out.push(`  ${truncate(clean(x.last_error), 200)}`);
  }
  return out;
}

function silences(c: TextCtx): string[] {
  const { d, L } = c;
  const list = d.silences ?? [];
  const out = [heading(L.silences(list.length))];
  if (!list.length) return [...out, L.noSilences];
  for (const s of list) {
    const m = s.matchers.map((x) => `${clean(x.name)}=${clean(x.value)}`).join(', ') || '(all)';
    out.push(`* ${m} ${L.until} ${fmtTime(s.ends_at, d.period.timezone)}${s.created_by ? `, ${L.by} ${clean(s.created_by)}` : ''}${s.comment ? `: ${truncate(clean(s.comment), 120)}` : ''}`);
  }
  return out;
}

const SECTIONS: Record<SectionId, (c: TextCtx) => string[]> = { actions, causes, expected, changed, resolved, endpoints, chart, dead, silences };

export function renderText(d: DigestData, opts: ViewOptions): string {
  const L = labels(opts.language);
  const c: TextCtx = { d, L, lang: opts.language, opts };
  const tz = d.period.timezone;
  const label = periodLabel(d.period);
  const out: string[] = [`${L.brand}: ${L.title(label)}`, `${fmtTime(d.period.start, tz)} - ${fmtTime(d.period.end, tz)} ${tz}`];
  if (d.partial) out.push(L.soFar(fmtTime(d.generatedAt, tz)));
  if (d.period.days > 1) out.push(L.catchUp(d.period.days, label));
  if (opts.droppedDays) out.push(L.dropped(opts.droppedDays));
  const late = lateNote(d, opts);
  if (late) out.push(late);
  out.push('');
  if (d.total === 0) out.push(L.noFailed);
  else {
    const dl = delta(d.total, d.prevTotal).text;
    const n = d.actions.reduce((s, g) => s + g.incidents.length, 0);
    out.push(`${L.failedCalls(fmtInt(d.total))}${dl ? ` (${dl} ${L.vsPrevious(periodLabel(d.previous))})` : ''}; ${L.causesNeedAction(d.actions.length, n)}`);
    if (d.appkeys.length) out.push(`${L.apps}: ${d.appkeys.map((a) => `${clean(a.appkey || '(unknown)')} ${fmtInt(a.count)}`).join(', ')}`);
  }
  for (const id of sectionOrder(d)) out.push(...SECTIONS[id](c));
  out.push('', L.generated(`${fmtTime(d.generatedAt, tz)} ${tz}`, periodLabel(d.previous)));
  return out.join('\n') + '\n';
}
