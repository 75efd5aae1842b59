/**
 * URL → Easemob endpoint template (without the `/{org}/{app}` prefix), host checks and the
 * REST path-shape test used to scope events when no host is logged.
 */
import { TEMPLATES } from './templates.js';

export interface ParsedEndpoint {
  host: string | null;
  appkey: string | null;
  endpoint: string | null;
  path: string;
}

/** Doc placeholder → canonical name (the rule engine keys on these). */
const ALIAS: Record<string, string> = {
  userid: 'username', uid: 'username', owner_username: 'username', usernames: 'username',
  members: 'username', member1: 'username', superadmin: 'username', oldadmin: 'username',
  chatroomid: 'chatroom_id', file_uuid: 'file_id', resourceid: 'resource', contact: 'friend_username',
};

interface Node {
  lit: Map<string, Node>;
  params: { name: string; node: Node }[];
  end: boolean;
}
const newNode = (): Node => ({ lit: new Map(), params: [], end: false });

const ROOT = newNode();
const TOP = new Set<string>(['moderation']);
for (const t of TEMPLATES) {
  let n = ROOT;
  const segs = t.split('/').filter(Boolean);
  TOP.add(segs[0]);
  for (const s of segs) {
    if (s.startsWith('{')) {
      const raw = s.slice(1, s.indexOf('}')).toLowerCase();
      const name = ALIAS[raw] ?? raw;
      let p = n.params.find((x) => x.name === name);
      if (!p) n.params.push((p = { name, node: newNode() }));
      n = p.node;
    } else {
      let c = n.lit.get(s.toLowerCase());
      if (!c) n.lit.set(s.toLowerCase(), (c = newNode()));
      n = c;
    }
  }
  n.end = true;
}

/** Full match with backtracking; literals win over placeholders (`/chatrooms/super_admin`). */
function match(n: Node, segs: string[], i: number, out: string[]): boolean {
  if (i === segs.length) return n.end;
  const lit = n.lit.get(segs[i].toLowerCase());
  if (lit) {
    out.push(segs[i].toLowerCase());
    if (match(lit, segs, i + 1, out)) return true;
    out.pop();
  }
  for (const p of n.params) {
    out.push('{' + p.name + '}');
    if (match(p.node, segs, i + 1, out)) return true;
    out.pop();
  }
  return false;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Obvious variable segments: numbers, uuids, long hex, comma lists. */
function fold(s: string): string {
  if (/^\d+$/.test(s) || UUID.test(s) || /^[0-9a-f]{16,}$/i.test(s) || s.includes(',')) return '{id}';
  return s;
}

/** Partial match for sub-paths the doc does not list: greedy walk, then fold the rest. */
function partial(segs: string[]): string {
  const out: string[] = [];
  let n: Node | undefined = ROOT;
  let i = 0;
  for (; i < segs.length && n; i++) {
    const lit = n.lit.get(segs[i].toLowerCase());
    if (lit) { out.push(segs[i].toLowerCase()); n = lit; continue; }
    const p: { name: string; node: Node } | undefined = n.params[0];
    if (!p) break;
    out.push('{' + p.name + '}');
    n = p.node;
  }
  for (; i < segs.length; i++) out.push(fold(segs[i]));
  return '/' + out.join('/');
}

function template(segs: string[]): string | null {
  const out: string[] = [];
  return match(ROOT, segs, 0, out) ? '/' + out.join('/') : null;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const NAME_SEG = /^[A-Za-z0-9_-]+$/;
/** First path segments that mark an app's own web routes, not an Easemob org/app pair. */
const WEB_PREFIX = /^(?:api|apis|v\d+|rest|internal|public|admin|static|assets|services?|gateway|web|app-api)$/i;

function splitUrl(url: string): { host: string | null; path: string } {
  let s = url.trim();
  let host: string | null = null;
  const m = SCHEME.exec(s);
  if (m) {
    s = s.slice(m[0].length);
    let end = s.search(/[/?#]/);
    if (end < 0) end = s.length;
    host = s.slice(0, end);
    s = s.slice(end);
  } else if (!s.startsWith('/') && /^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?\//i.test(s)) {
    const end = s.indexOf('/');
    host = s.slice(0, end);
    s = s.slice(end);
  }
  if (host !== null) {
    const at = host.lastIndexOf('@');
    if (at >= 0) host = host.slice(at + 1);
    host = host.replace(/:\d*$/, '').toLowerCase() || null;
  }
  const q = s.search(/[?#]/);
  if (q >= 0) s = s.slice(0, q);
  if (!s.startsWith('/')) s = '/' + s;
  return { host, path: s };
}

const CACHE = new Map<string, ParsedEndpoint>();

export function parseEndpoint(url: string): ParsedEndpoint {
  // Logs repeat the same few URLs: a bounded cache skips the trie walk (copies are returned).
  const hit = CACHE.get(url);
  if (hit) return { ...hit };
  const r = parseUncached(url);
  if (CACHE.size >= 1000) CACHE.clear();
  CACHE.set(url, r);
  return { ...r };
}

function parseUncached(url: string): ParsedEndpoint {
  const { host, path } = splitUrl(url);
  const segs = path.split('/').filter(Boolean);
  if (segs.length === 0) return { host, appkey: null, endpoint: null, path };
  // Shengwang (Agora China) prefix: /app-id/{app_id}/<same sub-paths>. The App ID is what
  // identifies the app there (no org#app), so it is the event's app key.
  if (segs[0] === 'app-id' && segs.length >= 3) {
    const rest = segs.slice(2);
    return { host, appkey: NAME_SEG.test(segs[1]) ? segs[1] : null, endpoint: template(rest) ?? partial(rest), path };
  }
  const top0 = TOP.has(segs[0].toLowerCase());
  const top2 = segs.length >= 3 && TOP.has(segs[2].toLowerCase());
  if (top0) {
    // A path logged relative to the org/app base (SDK logs: `/users/bob/joined_chatgroups`).
    const t = template(segs);
    if (t || !top2) return { host, appkey: null, endpoint: t ?? partial(segs), path };
  }
  if (top2 && NAME_SEG.test(segs[0]) && NAME_SEG.test(segs[1])) {
    const rest = segs.slice(2);
    return { host, appkey: segs[0] + '#' + segs[1], endpoint: template(rest) ?? partial(rest), path };
  }
  if (segs.length === 2 && segs[1].toLowerCase() === 'token') {
    return { host, appkey: null, endpoint: '/token', path };
  }
  return { host, appkey: null, endpoint: '/' + segs.map(fold).join('/'), path };
}

const BUILTIN = ['easemob.com', 'easecdn.com', 'chat.agora.io'];

function suffixMatch(h: string, suffix: string): boolean {
  return h === suffix || (h.length > suffix.length && h.endsWith(suffix) && h.charCodeAt(h.length - suffix.length - 1) === 46);
}

/** `*.easemob.com`, `*.easecdn.com`, `*.chat.agora.io`, plus configured hosts (exact or `*.suffix`). */
export function isEasemobHost(host: string, extra?: string[]): boolean {
  const h = host.trim().toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  if (!h) return false;
  for (const s of BUILTIN) if (suffixMatch(h, s)) return true;
  if (extra) {
    for (const e of extra) {
      const x = e.trim().toLowerCase();
      if (x.startsWith('*.')) {
        if (suffixMatch(h, x.slice(2)) && h !== x.slice(2)) return true;
      } else if (h === x) return true;
    }
  }
  return false;
}

/** REST path shape `/{org}/{app}/<known resource>` (or `/app-id/{id}/<resource>`). */
export function looksLikeEasemobPath(path: string): boolean {
  const segs = splitUrl(path).path.split('/').filter(Boolean);
  if (segs.length < 3) return false;
  if (!TOP.has(segs[2].toLowerCase())) return false;
  if (segs[0] === 'app-id') return true;
  if (TOP.has(segs[0].toLowerCase())) return false; // `/chatgroups/123/users`: a resource, not an org
  if (!NAME_SEG.test(segs[0]) || !NAME_SEG.test(segs[1])) return false;
  if (WEB_PREFIX.test(segs[0]) || WEB_PREFIX.test(segs[1])) return false;
  return true;
}

/** A path logged relative to the `/{org}/{app}` base, e.g. SDK logs `/users/bob/joined_chatgroups`. */
export function isRelativeEasemobPath(path: string): boolean {
  const segs = splitUrl(path).path.split('/').filter(Boolean);
  return segs.length > 0 && TOP.has(segs[0].toLowerCase());
}
