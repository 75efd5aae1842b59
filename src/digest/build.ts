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

/** Query + render one digest. Pure with respect to the database (reads only). */
export function buildDigest(
  db: DB,
  cfg: Pick<LoadedConfig, 'digest' | 'incidents'>,
  range: { fromDate: string; toDate: string },
  now: number,
  late: { droppedDays?: number; dueAt?: number } = {},
): RenderedDigest {
  const period = makePeriod(range.fromDate, range.toDate, digestTimezone(cfg));
  const data = queryDigest(db, period, { resolveAfterMs: cfg.incidents.resolve_after, now });
  const opts = { language: cfg.digest.language, ...late };
  return { period, data, subject: digestSubject(data), html: renderHtml(data, opts), text: renderText(data, opts) };
}
