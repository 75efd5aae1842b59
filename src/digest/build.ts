import type { DB } from '../store/db.js';
import type { LoadedConfig } from '../config/load.js';
import { hostTimezone, makePeriod, type Period } from './period.js';
import { queryDigest, type DigestData } from './query.js';
import { renderHtml } from './render-html.js';
import { renderText } from './render-text.js';
import { digestSubject } from './subject.js';

export interface RenderedDigest {
  period: Period;
  data: DigestData;
  subject: string;
  html: string;
  text: string;
}

export function digestTimezone(cfg: Pick<LoadedConfig, 'digest'>): string {
  return cfg.digest.timezone ?? hostTimezone();
}

/**
 * The web UI's base URL (`http.public_url`, set when the incident pages are served): the digest
 * then links each incident to <url>/incidents/<id> instead of printing the ack command. Read
 * loosely so the digest works with configs from before that key existed.
 */
export function publicUrl(cfg: Partial<Pick<LoadedConfig, 'http'>>): string | null {
  const url = (cfg.http as { public_url?: unknown } | undefined)?.public_url;
  return typeof url === 'string' && url ? url : null;
}

/** Query + render one digest. Pure with respect to the database (reads only). */
export function buildDigest(
  db: DB,
  cfg: Pick<LoadedConfig, 'digest' | 'incidents'> & Partial<Pick<LoadedConfig, 'http'>>,
  range: { fromDate: string; toDate: string },
  now: number,
  late: { droppedDays?: number; dueAt?: number } = {},
): RenderedDigest {
  const period = makePeriod(range.fromDate, range.toDate, digestTimezone(cfg));
  const data = queryDigest(db, period, { resolveAfterMs: cfg.incidents.resolve_after, now });
  const opts = { language: cfg.digest.language, publicUrl: publicUrl(cfg), ...late };
  return { period, data, subject: digestSubject(data, opts.language), html: renderHtml(data, opts), text: renderText(data, opts) };
}
