// Server-rendered pages. Everything from logs, rules or the operator goes through html`` (escaped).
import { CATEGORIES, SEVERITIES } from '../classify/types.js';
import type { Incident } from '../incidents/types.js';
import type { IncidentAction } from '../incidents/actions.js';
import type { Silence } from '../incidents/silences.js';
import { formatMatcher } from '../incidents/matchers.js';
import type { SampleEvent } from '../incidents/store.js';
import { html, type Html } from './html.js';
import { t, type Lang } from './i18n.js';
import type { CauseRow, IncidentFilter, OutboxView } from './queries.js';

export interface PageCtx {
  lang: Lang;
  csrf: string | null;
  /** Shown in the header; null on the login page. */
  user: string | null;
  path: string;
  open: boolean;
}

/** Timeline bar size in SVG units (SVG attributes, not style attributes: the CSP allows no inline style). */
const BAR_W = 6;
const BAR_H = 50;

const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString().replace('.000Z', 'Z') : '–');
const sev = (s: string) => html`<span class="sev sev-${s}">${s}</span>`;
const csrfField = (c: PageCtx) => html`<input type="hidden" name="_csrf" value="${c.csrf ?? ''}">`;

export function layout(c: PageCtx, title: string, body: Html): string {
  const other = c.lang === 'zh' ? 'en' : 'zh';
  const sep = c.path.includes('?') ? '&' : '?';
  const nav = c.user
    ? html`<a href="/incidents">${t(c.lang, 'incidents')}</a><a href="/silences">${t(c.lang, 'silences')}</a><a href="/health">${t(c.lang, 'health')}</a>`
    : '';
  const logout =
    c.user && !c.open
      ? html`<form class="inline" method="post" action="/logout">${csrfField(c)}<button class="secondary" type="submit">${t(c.lang, 'logout')}</button></form>`
      : '';
  return html`<!doctype html>
<html lang="${c.lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · apiwatch</title><link rel="stylesheet" href="/static/style.css"></head>
<body><header><a href="/">apiwatch</a>${nav}<span class="sp"></span>
<label class="toggle"><input type="checkbox" id="autorefresh">${t(c.lang, 'refresh')}</label>
<a href="${c.path.replace(/([?&])lang=\w+&?/, '$1').replace(/[?&]$/, '')}${sep}lang=${other}">${other === 'zh' ? '中文' : 'English'}</a>
${c.user ? html`<span>${c.user}</span>` : ''}${logout}</header>
<main><h1>${title}</h1>${body}</main><script src="/static/refresh.js"></script></body></html>`.value;
}

export function loginPage(c: PageCtx, error: string | null): string {
  return layout(
    c,
    t(c.lang, 'login'),
    html`${error ? html`<p class="err">${error}</p>` : ''}
<form method="post" action="/login" class="filters">
<label>${t(c.lang, 'name')}<input name="name" autocomplete="username" maxlength="80" required></label>
<label>${t(c.lang, 'token')}<input name="token" type="password" autocomplete="current-password" required></label>
<button type="submit">${t(c.lang, 'login')}</button></form>`,
  );
}

function select(name: string, label: string, values: readonly string[], current: string, any: string): Html {
  return html`<label>${label}<select name="${name}"><option value="">${any}</option>${values.map(
    (v) => html`<option value="${v}"${current === v ? html` selected` : ''}>${v}</option>`,
  )}</select></label>`;
}

export function incidentsPage(
  c: PageCtx,
  f: IncidentFilter,
  list: { rows: Incident[]; total: number; events: number },
  causes: CauseRow[],
  mutedBy: (i: Incident) => string | null,
): string {
  const L = (w: Parameters<typeof t>[1]) => t(c.lang, w);
  const states = ['open', 'firing', 'acknowledged', 'resolved', 'any'];
  const body = html`
<h2>${L('summary')}</h2>
<div class="cards">${causes.length ? causes.map(
    (r) => html`<div class="card">${sev(r.severity)} <a href="/incidents?ref=${encodeURIComponent(r.ref ?? '')}">${r.ref ?? '–'}</a><br>${r.title}<br><b>${r.incidents}</b> × · ${r.events} ev</div>`,
  ) : html`<p>${L('none')}</p>`}</div>
<h2>${L('filter')}</h2>
<form class="filters" method="get" action="/incidents">
<label>${L('state')}<select name="state">${states.map((s) => html`<option value="${s}"${f.state === s ? html` selected` : ''}>${s}</option>`)}</select></label>
${select('severity', L('severity'), SEVERITIES, f.severity, L('any'))}
${select('category', L('category'), CATEGORIES, f.category, L('any'))}
<label>${L('ref')}<input name="ref" value="${f.ref}" size="6"></label>
<label>${L('appkey')}<input name="appkey" value="${f.appkey}" size="12"></label>
<label>${L('text')}<input name="q" value="${f.q}" size="14"></label>
${c.lang === 'zh' ? html`<input type="hidden" name="lang" value="zh">` : ''}
<button type="submit">${L('filter')}</button></form>
<p id="counts">${list.total} ${L('incidents').toLowerCase()} · ${list.events} events</p>
<div class="scroll"><table><thead><tr><th>#</th><th>${L('severity')}</th><th>${L('state')}</th><th>${L('ref')}</th><th>Title</th><th class="wide">Endpoint</th><th class="wide">${L('appkey')}</th><th>${L('count')}</th><th class="wide">${L('first')}</th><th>${L('last')}</th><th class="wide">${L('acked')}</th></tr></thead><tbody>
${list.rows.map((i) => {
    const m = mutedBy(i);
    return html`<tr class="state-${i.state}" data-id="${i.id}"><td><a href="/incidents/${i.id}">#${i.id}</a></td><td>${sev(i.severity)}</td><td>${i.state}${m ? html` <span class="muted">(${L('muted')}: ${m})</span>` : ''}</td><td>${i.ref ?? '–'}</td><td><a href="/incidents/${i.id}">${i.title}</a></td><td class="wide">${i.method ?? ''} ${i.endpoint ?? ''}</td><td class="wide">${i.appkey ?? '–'}</td><td>${i.count}</td><td class="wide">${iso(i.first_seen)}</td><td>${iso(i.last_seen)}</td><td class="wide">${i.acknowledged_at ? html`${i.acknowledged_by ?? '?'} · ${iso(i.acknowledged_at)}` : '–'}</td></tr>`;
  })}
</tbody></table></div>`;
  return layout(c, L('incidents'), body);
}

export interface IncidentView {
  incident: Incident;
  mutedBy: string | null;
  samples: SampleEvent[];
  perMinute: number[];
  notifications: OutboxView[];
  silences: Silence[];
  actions: IncidentAction[];
  /** Matchers for "Silence like this…". */
  likeThis: string[];
}

export function incidentPage(c: PageCtx, v: IncidentView, flash: string | null): string {
  const L = (w: Parameters<typeof t>[1]) => t(c.lang, w);
  const i = v.incident;
  const max = Math.max(1, ...v.perMinute);
  const like = v.likeThis.map((m) => `m=${encodeURIComponent(m)}`).join('&');
  const body = html`${flash ? html`<p class="ok">${flash}</p>` : ''}
<p>${sev(i.severity)} <b id="state">${i.state}</b>${v.mutedBy ? html` <span class="muted">(${L('muted')}: ${v.mutedBy})</span>` : ''}</p>
<dl>
<dt>${L('rule')}</dt><dd>${i.rule ?? '–'} (${L('ref')} ${i.ref ?? '–'}, ${i.category})</dd>
<dt>Endpoint</dt><dd>${i.method ?? ''} ${i.endpoint ?? '–'}</dd>
<dt>${L('appkey')}</dt><dd>${i.appkey ?? '–'}</dd>
<dt>Error</dt><dd>${i.status ?? ''} ${i.error ?? ''}: ${i.last_description ?? ''}</dd>
<dt>${L('count')}</dt><dd>${i.count}</dd>
<dt>${L('first')}</dt><dd>${iso(i.first_seen)}</dd><dt>${L('last')}</dt><dd>${iso(i.last_seen)}</dd>
<dt>${L('acked')}</dt><dd>${i.acknowledged_at ? html`${i.acknowledged_by ?? '?'} · ${iso(i.acknowledged_at)}` : '–'}</dd>
<dt>${L('hint')} (en)</dt><dd>${i.hint}</dd><dt>${L('hint')} (中文)</dt><dd>${i.hint_zh || '–'}</dd>
</dl>
<h2>${L('actions')}</h2>
${i.state === 'firing' ? html`<form method="post" action="/incidents/${i.id}/ack" class="filters">${csrfField(c)}
<label>${L('name')}<input name="name" value="${c.user ?? ''}" maxlength="80" required></label>
<label>${L('comment')}<input name="comment" maxlength="500"></label>
<button type="submit" id="ack">${L('acknowledge')}</button></form>` : ''}
${i.state !== 'resolved' ? html`<form method="post" action="/incidents/${i.id}/resolve" class="filters">${csrfField(c)}
<label>${L('name')}<input name="name" value="${c.user ?? ''}" maxlength="80" required></label>
<label>${L('comment')}<input name="comment" maxlength="500"></label>
<button type="submit" id="resolve">${L('resolve')}</button></form>` : ''}
<p><a href="/silences?${like}" id="silence-like">${L('silenceLike')}</a></p>
<table id="actions"><tbody>${v.actions.length ? v.actions.map(
    (a) => html`<tr><td>${iso(a.at)}</td><td>${a.action}</td><td>${a.actor} (${a.via})</td><td>${a.comment ?? ''}</td></tr>`,
  ) : html`<tr><td>${L('none')}</td></tr>`}</tbody></table>
<h2>${L('timeline')}</h2>
<svg class="bars" viewBox="0 0 ${v.perMinute.length * BAR_W} ${BAR_H}" preserveAspectRatio="none" role="img" aria-label="max ${max}/min">${v.perMinute.map(
    (n, k) => html`<rect x="${k * BAR_W}" y="${BAR_H - Math.round((n / max) * BAR_H)}" width="${BAR_W - 1}" height="${Math.round((n / max) * BAR_H)}"><title>${n}</title></rect>`,
  )}</svg>
<h2>${L('samples')}</h2>
<div id="samples">${v.samples.map((s) => html`<p>${iso(s.ts)} · <code>${s.source}:${s.line}</code> ${s.host ? html`· ${s.host}` : ''}</p><pre>${s.raw}</pre>`)}</div>
<h2>${L('notifications')}</h2>
<div class="scroll"><table><tbody>${v.notifications.length ? v.notifications.map(
    (n) => html`<tr><td>#${n.id}</td><td>${n.kind}</td><td>${n.channel} → ${n.target}</td><td>${n.state}</td><td>${n.attempts}</td><td>${n.last_status ?? ''} ${n.last_error ?? ''}</td><td>${iso(n.sent_at ?? n.created_at)}</td></tr>`,
  ) : html`<tr><td>${L('none')}</td></tr>`}</tbody></table></div>
<h2>${L('matchingSilences')}</h2>
${silenceTable(c, v.silences)}`;
  return layout(c, `#${i.id} ${i.title}`, body);
}

export function silenceTable(c: PageCtx, list: Silence[]): Html {
  const L = (w: Parameters<typeof t>[1]) => t(c.lang, w);
  if (!list.length) return html`<p>${L('none')}</p>`;
  return html`<div class="scroll"><table id="silence-list"><tbody>${list.map(
    (s) => html`<tr><td>#${s.id}</td><td><code>${s.matchers.map(formatMatcher).join(' ')}</code></td><td>${iso(s.starts_at)} → ${iso(s.ends_at)}</td><td>${s.created_by ?? ''}</td><td>${s.comment ?? ''}</td>
<td><form method="post" action="/silences/${s.id}/expire" class="inline">${csrfField(c)}<button class="secondary" type="submit">${L('expire')}</button></form></td></tr>`,
  )}</tbody></table></div>`;
}

export interface SilenceForm {
  matchers: string;
  duration: string;
  comment: string;
  name: string;
}

export function silencesPage(c: PageCtx, form: SilenceForm, list: Silence[], preview: Incident[] | null, error: string | null, flash: string | null): string {
  const L = (w: Parameters<typeof t>[1]) => t(c.lang, w);
  const body = html`${flash ? html`<p class="ok">${flash}</p>` : ''}${error ? html`<p class="err" id="error">${error}</p>` : ''}
<form method="post" action="/silences">${csrfField(c)}
<label>${L('matchers')}<textarea name="matchers" id="matchers" required>${form.matchers}</textarea></label>
<div class="filters"><label>${L('duration')}<input name="duration" value="${form.duration}" size="6"></label>
<label>${L('name')}<input name="name" value="${form.name}" maxlength="80" required></label>
<label>${L('comment')}<input name="comment" value="${form.comment}" maxlength="500"></label>
<button type="submit" name="do" value="preview" class="secondary" id="preview">${L('preview')}</button>
<button type="submit" name="do" value="create" id="create">${L('create')}</button></div></form>
${preview ? html`<h2>${L('wouldCatch')}: <span id="preview-count">${preview.length}</span></h2><ul id="preview-list">${preview.map(
    (i) => html`<li><a href="/incidents/${i.id}">#${i.id}</a> ${sev(i.severity)} ${i.ref ?? '–'} ${i.title} (${i.state})</li>`,
  )}</ul>` : ''}
<h2>${L('silences')}</h2>${silenceTable(c, list)}`;
  return layout(c, L('silences'), body);
}

export interface HealthView {
  problems: string[];
  sources: { path: string; offset: number; line: number; updated_at: number }[];
  outbox: Record<string, number>;
  dead: OutboxView[];
  digest: string[];
}

export function healthPage(c: PageCtx, v: HealthView, flash: string | null): string {
  const L = (w: Parameters<typeof t>[1]) => t(c.lang, w);
  const body = html`${flash ? html`<p class="ok">${flash}</p>` : ''}
<h2>${L('problems')}</h2>${v.problems.length ? html`<ul class="err">${v.problems.map((p) => html`<li>${p}</li>`)}</ul>` : html`<p class="ok">ok</p>`}
<h2>${L('sources')}</h2><div class="scroll"><table><tbody>${v.sources.map(
    (s) => html`<tr><td><code>${s.path}</code></td><td>byte ${s.offset}</td><td>line ${s.line}</td><td>${iso(s.updated_at)}</td></tr>`,
  )}</tbody></table></div>
<h2>${L('outbox')}</h2><p>${Object.entries(v.outbox).map(([k, n]) => html`${k}: <b>${n}</b> `)}</p>
<h2>${L('dead')}</h2><div class="scroll"><table><tbody>${v.dead.length ? v.dead.map(
    (d) => html`<tr><td>#${d.id}</td><td>${d.channel} → ${d.target}</td><td>${d.kind}</td><td>${d.last_status ?? ''} ${d.last_error ?? ''}</td>
<td><form method="post" action="/outbox/${d.id}/retry" class="inline">${csrfField(c)}<button class="secondary" type="submit">${L('retry')}</button></form></td></tr>`,
  ) : html`<tr><td>${L('none')}</td></tr>`}</tbody></table></div>
<h2>${L('digest')}</h2>${v.digest.length ? html`<ul>${v.digest.map((d) => html`<li>${d}</li>`)}</ul>` : html`<p>${L('none')}</p>`}`;
  return layout(c, L('health'), body);
}
