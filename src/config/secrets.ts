import type { PathKey } from './yaml-location.js';

/**
 * Settings that hold secrets (a bot's webhook URL carries its key or token; signing secrets): they
 * must come from `${ENV}` or `${CREDENTIAL:name}`, so the config file can be read, shared and
 * committed without giving anyone the power to post to the on-call group.
 */
export const SECRET_SETTINGS: Readonly<Record<string, readonly string[]>> = {
  wecom: ['webhook_url'],
  dingtalk: ['webhook_url', 'secret'],
  feishu: ['webhook_url', 'secret'],
  webhook: ['url', 'secret'],
  alertmanager: ['bearer_token'],
};

const REFERENCE = /\$\{[^}]+\}/;

/** Paths of secret settings written literally in the (parsed, not yet interpolated) config. */
export function literalSecrets(raw: unknown): PathKey[][] {
  const out: PathKey[][] = [];
  // The web page's login token opens acknowledge/resolve/silence to whoever holds it.
  const token = (raw as { http?: { ui_token?: unknown } } | null)?.http?.ui_token;
  if (typeof token === 'string' && token !== '' && !REFERENCE.test(token)) out.push(['http', 'ui_token']);
  // An HTTP source's bearer token lets whoever holds it write log lines, i.e. raise or bury incidents.
  const sources = (raw as { sources?: unknown } | null)?.sources;
  if (Array.isArray(sources)) {
    sources.forEach((s, i) => {
      const t = (s as { http?: { token?: unknown } } | null)?.http?.token;
      if (typeof t === 'string' && t !== '' && !REFERENCE.test(t)) out.push(['sources', i, 'http', 'token']);
    });
  }
  const notify = (raw as { notify?: Record<string, unknown> } | null)?.notify;
  if (!notify || typeof notify !== 'object') return out;
  const check = (obj: unknown, base: PathKey[], keys: readonly string[]) => {
    if (!obj || typeof obj !== 'object') return;
    for (const k of keys) {
      const v = (obj as Record<string, unknown>)[k];
      if (typeof v === 'string' && v !== '' && !REFERENCE.test(v)) out.push([...base, k]);
    }
  };
  // Alertmanager's basic-auth password opens its API (and silences) to whoever holds it.
  check((notify.alertmanager as { basic_auth?: unknown } | undefined)?.basic_auth, ['notify', 'alertmanager', 'basic_auth'], ['password']);
  for (const [channel, keys] of Object.entries(SECRET_SETTINGS)) {
    const c = notify[channel] as { routes?: unknown } | undefined;
    check(c, ['notify', channel], keys);
    const routes = c?.routes;
    if (Array.isArray(routes)) routes.forEach((r, i) => check(r, ['notify', channel, 'routes', i], keys));
  }
  return out;
}
