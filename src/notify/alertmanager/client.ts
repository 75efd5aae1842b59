import type { AlertmanagerConfig } from '../../config/schema.js';
import type { ClientOptions, Sent } from '../chat/client.js';
import { send } from '../chat/client.js';
import { httpVerdict, type HttpAnswer } from '../chat/http.js';
import type { DeliveryResult } from '../notifier.js';
import type { Probe } from '../chat/notifier.js';
import type { PostableAlert } from './alert.js';

/** One Alertmanager peer: its base URL and the credentials every request carries. */
export interface Peer {
  base: string;
  headers: Record<string, string>;
}

/** The API apiwatch speaks: v2 (v1 was deprecated in 0.16 and removed in 0.27). */
export const ALERTS_PATH = '/api/v2/alerts';
export const STATUS_PATH = '/api/v2/status';

/** `http://am1:9093/` → `am1:9093`: the outbox target name (a name, never a credential). */
export function peerName(url: string): string {
  const u = new URL(url);
  const path = u.pathname.replace(/\/+$/, '');
  return `${u.host}${path}`;
}

export function peerFrom(url: string, cfg: Pick<AlertmanagerConfig, 'bearer_token' | 'basic_auth'>): Peer {
  const headers: Record<string, string> = {};
  if (cfg.bearer_token) headers.authorization = `Bearer ${cfg.bearer_token}`;
  else if (cfg.basic_auth) {
    headers.authorization = `Basic ${Buffer.from(`${cfg.basic_auth.username}:${cfg.basic_auth.password}`, 'utf8').toString('base64')}`;
  }
  return { base: url.replace(/\/+$/, ''), headers };
}

/** Alertmanager answers 200 with an empty body; 400 names the invalid field; auth is a proxy's. */
export function interpretAlertmanager(a: HttpAnswer, now: number): DeliveryResult {
  const fix =
    a.status === 401 || a.status === 403
      ? 'the Alertmanager (or a proxy before it) refused us: check notify.alertmanager.basic_auth / bearer_token'
      : a.status === 404 || a.status === 405
        ? `no Alertmanager API v2 at this URL: check notify.alertmanager.urls (the base URL, with any --web.route-prefix; ${ALERTS_PATH} is added)`
        : 'Alertmanager rejected the alert';
  return httpVerdict(a, now, fix) ?? { ok: true, status: a.status };
}

export function postAlerts(p: Peer, alerts: PostableAlert[], o: ClientOptions): Promise<Sent> {
  return send(`${p.base}${ALERTS_PATH}`, JSON.stringify(alerts), o, interpretAlertmanager, p.headers);
}

interface Status {
  versionInfo?: { version?: string };
  cluster?: { status?: string; peers?: unknown[] | null };
}

/** GET /api/v2/status: reachable, an Alertmanager, its version and whether its cluster has settled. The peer's name is the caller's to show. */
export async function probePeer(p: Peer, timeoutMs: number, fetchImpl: typeof fetch = fetch): Promise<Probe> {
  try {
    const res = await fetchImpl(`${p.base}${STATUS_PATH}`, { headers: p.headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    const text = await res.text();
    if (res.status === 401 || res.status === 403) return { ok: false, message: `HTTP ${res.status}`, fix: 'check notify.alertmanager.basic_auth / bearer_token' };
    if (res.status !== 200) {
      return { ok: false, message: `HTTP ${res.status} on ${STATUS_PATH}`, fix: 'check notify.alertmanager.urls: not an Alertmanager API v2 (0.16 or later) at this base URL' };
    }
    let s: Status;
    try {
      s = JSON.parse(text) as Status;
    } catch {
      return { ok: false, message: `${STATUS_PATH} did not answer JSON`, fix: 'check notify.alertmanager.urls (a proxy or another service answers there)' };
    }
    const version = s.versionInfo?.version ?? 'unknown version';
    const cluster = s.cluster?.status ?? 'disabled';
    const peers = Array.isArray(s.cluster?.peers) ? s.cluster.peers.length : 0;
    return {
      ok: true,
      message: `Alertmanager ${version}, API v2, cluster ${cluster}${peers ? ` (${peers} peer${peers === 1 ? '' : 's'})` : ''}; nothing was sent`,
    };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.name);
    return { ok: false, message: why, fix: 'check notify.alertmanager.urls and that Alertmanager listens there (--web.listen-address)' };
  }
}
