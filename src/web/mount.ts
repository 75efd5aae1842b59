// What the daemon calls to put the page on its listener: checks the security settings first.
import type { DB } from '../store/db.js';
import type { LoadedConfig } from '../config/load.js';
import { createUi } from './server.js';

/** A refusal the daemon reports like a config error (names the key and what is expected). */
export class UiConfigError extends Error {}

export interface UiDeps {
  rules: () => readonly { id: string; ref: string | null }[];
  problems: () => string[];
  loopback: boolean;
}

export function uiFor(cfg: LoadedConfig, db: DB, deps: UiDeps): ReturnType<typeof createUi> {
  const h = cfg.http;
  if (h.ui_auth === 'none' && !deps.loopback) {
    throw new UiConfigError(`http.ui_auth: "none" is only allowed when http.listen is a loopback address, not ${h.listen}; set http.ui_token instead`);
  }
  if (h.ui_auth === 'token' && !h.ui_token) {
    throw new UiConfigError('http.ui: true needs http.ui_token (e.g. "${CREDENTIAL:ui_token}" or "${APIWATCH_UI_TOKEN}"), or http.ui_auth: none on a loopback listener');
  }
  const d = cfg.digest;
  return createUi({
    db,
    token: h.ui_auth === 'none' ? null : h.ui_token!,
    secureCookie: (h.public_url ?? '').startsWith('https:'),
    maintenance: cfg.notify.maintenance,
    rules: deps.rules,
    problems: deps.problems,
    digestSchedule: () => (d.enabled ? [`daily at ${d.at} ${d.timezone ?? 'local time'} (${d.language})`] : []),
  });
}
