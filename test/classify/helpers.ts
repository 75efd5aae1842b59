import type { ApiErrorEvent, NoResponse } from '../../src/parse/event.js';

export interface EvInput {
  status?: number | null;
  error?: string | null;
  description?: string | null;
  method?: string | null;
  endpoint?: string | null;
  appkey?: string | null;
  host?: string | null;
  noResponse?: NoResponse;
}

/** A realistic ApiErrorEvent with only the given fields set. */
export function ev(i: EvInput): ApiErrorEvent {
  const e: ApiErrorEvent = {
    ts: 1_764_300_000_000,
    tsFromLine: true,
    source: '/var/log/im-gateway/app.log',
    line: 42,
    method: i.method ?? null,
    url: null,
    endpoint: i.endpoint ?? null,
    appkey: i.appkey === undefined ? 'acme-im#prod' : i.appkey,
    host: i.host === undefined ? 'a1.easemob.com' : i.host,
    status: i.status ?? null,
    error: i.error ?? null,
    errorDescription: i.description ?? null,
    exception: null,
    raw: '',
    parser: 'json',
  };
  if (i.noResponse) e.noResponse = i.noResponse;
  return e;
}
