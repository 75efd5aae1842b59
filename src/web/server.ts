// The on-call page's request handler. The daemon mounts it on its existing http.listen server when
// `http.ui: true`; it answers every path except /metrics and /healthz (the daemon keeps those).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DB } from '../store/db.js';
import type { MaintenanceWindow } from '../config/schema.js';
import { IncidentStore } from '../incidents/store.js';
import { Lifecycle, LifecycleError } from '../incidents/lifecycle.js';
import { actionsFor, recordAction } from '../incidents/actions.js';
import { Muter, previewSilence, SilenceStore, storedVocabulary } from '../incidents/silences.js';
import { matchesAll, MatcherError, parseMatcher, validateMatcher, vocabularyOf, type Matcher } from '../incidents/matchers.js';
import { OutboxStore } from '../notify/outbox/store.js';
import { parseDuration } from '../config/duration.js';
import { Auth, cookieOf, SESSION_COOKIE, sessionCookie, type Session } from './auth.js';
import { REFRESH_JS, STYLE } from './assets.js';
import { langOf } from './i18n.js';
import * as P from './pages.js';
import { causeSummary, deadLetters, filterFrom, listIncidents, notificationsFor, sourcePositions, timeline } from './queries.js';

export interface UiOptions {
  db: DB;
  /** The login token; null when `http.ui_auth: none` (loopback only, checked by the caller). */
  token: string | null;
  /** Secure cookies when the page is reached over https (http.public_url). */
  secureCookie?: boolean;
  maintenance?: MaintenanceWindow[];
  /** Loaded rules (id, ref), for validating silence matchers. */
  rules: () => readonly { id: string; ref: string | null }[];
  problems?: () => string[];
  digestSchedule?: () => string[];
  now?: () => number;
}

/** Forms are short; anything bigger is not ours. */
const MAX_BODY = 64 * 1024;
const DEFAULT_SILENCE = '2h';

export const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, 'form too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: string, type = 'text/html; charset=utf-8', extra: Record<string, string | string[]> = {}): void {
  res.writeHead(status, {
    'content-type': type,
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cache-control': 'no-store',
    ...extra,
  });
  res.end(body);
}

function addCookie(res: ServerResponse, cookie: string): void {
  const prev = res.getHeader('set-cookie');
  res.setHeader('set-cookie', [...(Array.isArray(prev) ? prev : prev ? [String(prev)] : []), cookie]);
}

const redirect = (res: ServerResponse, to: string, extra: Record<string, string | string[]> = {}) =>
  send(res, 303, '', 'text/plain', { location: to, ...extra });

export function createUi(o: UiOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const now = o.now ?? Date.now;
  const auth = new Auth(o.token, now);
  const incidents = new IncidentStore(o.db);
  const silences = new SilenceStore(o.db);
  const lifecycle = new Lifecycle(o.db);
  const outbox = new OutboxStore(o.db);
  const secure = o.secureCookie ?? false;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://ui.invalid');
    const path = url.pathname;
    const lang = langOf(url.searchParams.get('lang') ?? cookieOf(req.headers.cookie, 'apiwatch_lang'));
    // The language choice sticks (a cookie of no consequence), so the nav links need not carry it.
    if (url.searchParams.has('lang')) addCookie(res, `apiwatch_lang=${lang}; Path=/; SameSite=Strict; Max-Age=31536000`);
    if (path === '/static/style.css') return send(res, 200, STYLE, 'text/css; charset=utf-8', { 'cache-control': 'max-age=300' });
    if (path === '/static/refresh.js') return send(res, 200, REFRESH_JS, 'text/javascript; charset=utf-8', { 'cache-control': 'max-age=300' });
    const post = req.method === 'POST';
    if (!post && req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed', 'text/plain', { allow: 'GET, HEAD, POST' });

    let session = auth.get(cookieOf(req.headers.cookie, SESSION_COOKIE));
    const ctx = (s: Session | null): P.PageCtx => ({ lang, csrf: s?.csrf ?? null, user: s?.name ?? null, path: url.pathname + url.search, open: auth.open });

    if (path === '/login') {
      if (!post) return send(res, 200, P.loginPage(ctx(null), null));
      const addr = req.socket.remoteAddress ?? '?';
      const wait = auth.retryAfter(addr);
      if (wait > 0) return send(res, 429, P.loginPage(ctx(null), `too many failed logins; try again in ${wait}s`), undefined, { 'retry-after': String(wait) });
      const form = await readBody(req);
      const name = (form.get('name') ?? '').trim().slice(0, 80);
      if (!name || !auth.tokenOk(form.get('token') ?? '')) {
        auth.failed(addr);
        return send(res, 401, P.loginPage(ctx(null), 'wrong token (or no name given)'));
      }
      session = auth.create(name);
      addCookie(res, sessionCookie(session, secure));
      return redirect(res, '/incidents');
    }

    if (!session) {
      // An open page (loopback, ui_auth: none) still gets a session, for its CSRF token.
      if (!auth.open) return post ? send(res, 401, 'log in first', 'text/plain') : redirect(res, '/login');
      session = auth.create('anonymous');
      addCookie(res, sessionCookie(session, secure));
    }
    let form = new URLSearchParams();
    if (post) {
      form = await readBody(req);
      // Same-site cookie plus a per-session token: a form on another site can post neither.
      if (!auth.csrfOk(session, form.get('_csrf'))) return send(res, 403, 'CSRF token missing or wrong: reload the page and try again', 'text/plain');
    }
    const c = ctx(session);
    const actor = (form.get('name') ?? '').trim().slice(0, 80) || session.name;
    const comment = (form.get('comment') ?? '').trim().slice(0, 500) || null;
    const muter = new Muter(silences, o.maintenance ?? []);
    const t = now();

    if (path === '/') return redirect(res, '/incidents');
    if (path === '/logout' && post) {
      auth.drop(session.id);
      addCookie(res, sessionCookie(null, secure));
      return redirect(res, '/login');
    }
    if (path === '/incidents' && !post) {
      const f = filterFrom(url.searchParams);
      return send(res, 200, P.incidentsPage(c, f, listIncidents(o.db, f), causeSummary(o.db), (i) => muter.mutedBy(i, t)));
    }
    const inc = /^\/incidents\/(\d+)(?:\/(ack|resolve))?$/.exec(path);
    if (inc) {
      const id = Number(inc[1]);
      if (post && inc[2]) {
        try {
          if (inc[2] === 'ack') lifecycle.acknowledge(id, actor, t, { via: 'web', comment });
          else lifecycle.resolve(id, actor, t, { via: 'web', comment });
        } catch (err) {
          if (err instanceof LifecycleError) throw new HttpError(409, err.message);
          throw err;
        }
        return redirect(res, `/incidents/${id}?done=${inc[2]}`);
      }
      if (post || inc[2]) throw new HttpError(405, 'use the buttons on the incident page');
      const i = incidents.get(id);
      if (!i) throw new HttpError(404, `no incident #${id}`);
      const like = [`ref=${i.ref ?? ''}`, i.endpoint ? `endpoint=${i.endpoint}` : '', i.appkey ? `appkey=${i.appkey}` : ''].filter((m) => m && !m.endsWith('='));
      const done = url.searchParams.get('done');
      return send(res, 200, P.incidentPage(c, {
        incident: i,
        mutedBy: muter.mutedBy(i, t),
        samples: incidents.samples(id, 5),
        perMinute: timeline(o.db, id, t),
        notifications: notificationsFor(o.db, id),
        silences: silences.active(t).filter((s) => matchesAll(i, s.matchers)),
        actions: actionsFor(o.db, id),
        likeThis: like,
      }, done === 'ack' ? 'acknowledged' : done === 'resolve' ? 'resolved' : null));
    }
    if (path === '/silences') {
      const sform: P.SilenceForm = post
        ? { matchers: form.get('matchers') ?? '', duration: form.get('duration') || DEFAULT_SILENCE, comment: comment ?? '', name: actor }
        : { matchers: url.searchParams.getAll('m').join('\n'), duration: DEFAULT_SILENCE, comment: '', name: session.name };
      if (!post) return send(res, 200, P.silencesPage(c, sform, silences.list({}, t), null, null, url.searchParams.get('done')));
      let matchers: Matcher[];
      let preview;
      try {
        const lines = sform.matchers.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
        if (!lines.length) throw new MatcherError('give at least one matcher, one per line');
        matchers = lines.map(parseMatcher);
        const vocab = vocabularyOf(o.rules(), storedVocabulary(o.db));
        for (const m of matchers) validateMatcher(m, vocab);
        preview = previewSilence(o.db, matchers);
      } catch (err) {
        if (!(err instanceof MatcherError)) throw err;
        return send(res, 400, P.silencesPage(c, sform, silences.list({}, t), null, err.message, null));
      }
      const d = parseDuration(sform.duration);
      if (d === null || d <= 0) return send(res, 400, P.silencesPage(c, sform, silences.list({}, t), preview, `duration: expected e.g. 30m or 2h, got "${sform.duration}"`, null));
      if (form.get('do') !== 'create') return send(res, 200, P.silencesPage(c, sform, silences.list({}, t), preview, null, null));
      const s = o.db.transaction(() => {
        const s = silences.add({ matchers, startsAt: t, endsAt: t + d, comment: comment ?? undefined, createdBy: actor }, t);
        for (const i of preview) recordAction(o.db, { incident_id: i.id, silence_id: s.id, action: 'silence', actor, via: 'web', comment: `silence #${s.id}${comment ? `: ${comment}` : ''}`, at: t });
        return s;
      })();
      return redirect(res, `/silences?done=${encodeURIComponent(`silence #${s.id} created; it holds ${preview.length} open incident(s)`)}`);
    }
    const exp = /^\/silences\/(\d+)\/expire$/.exec(path);
    if (exp && post) {
      const id = Number(exp[1]);
      if (!silences.expire(id, t)) throw new HttpError(409, `no active silence #${id}`);
      recordAction(o.db, { incident_id: null, silence_id: id, action: 'expire', actor, via: 'web', comment, at: t });
      return redirect(res, `/silences?done=${encodeURIComponent(`silence #${id} expired`)}`);
    }
    const retry = /^\/outbox\/(\d+)\/retry$/.exec(path);
    if (retry && post) {
      if (!outbox.retry(Number(retry[1]), t)) throw new HttpError(409, `outbox #${retry[1]} is not a dead letter`);
      return redirect(res, '/health');
    }
    if (path === '/health' && !post) {
      return send(res, 200, P.healthPage(c, {
        problems: o.problems?.() ?? [],
        sources: sourcePositions(o.db),
        outbox: outbox.counts(),
        dead: deadLetters(o.db),
        digest: o.digestSchedule?.() ?? [],
      }, null));
    }
    throw new HttpError(404, 'not found');
  };

  return (req, res) => {
    handle(req, res).catch((err: Error) => {
      if (res.headersSent) return res.destroy();
      const status = err instanceof HttpError ? err.status : 500;
      send(res, status, err instanceof HttpError ? err.message : 'internal error (see the daemon log)', 'text/plain; charset=utf-8');
    });
  };
}
