// Interim parser (JSON lines with an Easemob body only) until the parse branch lands.
import type { ApiErrorEvent, EventParser, LineMeta, ParserOptions, ParserStats } from './event.js';
export type * from './event.js';

export function createParser(opts: ParserOptions): EventParser {
  const stats: ParserStats = { lines: 0, events: 0, malformed: 0, clockSkew: 0 };
  return {
    stats,
    push(line: string, meta: LineMeta): ApiErrorEvent[] {
      stats.lines++;
      if (!line.includes('"error"')) return [];
      try {
        const o = JSON.parse(line);
        const status = Number(o.status ?? o.statusCode);
        if (!(status >= 400)) return [];
        const body = typeof o.body === 'string' ? JSON.parse(o.body) : (o.body ?? {});
        stats.events++;
        return [
          {
            ts: meta.readTime, tsFromLine: false, source: opts.source, line: meta.lineNo, offset: meta.offset,
            method: o.method ?? null, url: o.url ?? null, endpoint: null, appkey: null, host: null, status,
            error: body.error ?? null, errorDescription: body.error_description ?? null, exception: body.exception ?? null,
            raw: line.slice(0, 4000), parser: 'json',
          },
        ];
      } catch {
        stats.malformed++;
        return [];
      }
    },
    flush: () => [],
    pending: () => null,
  };
}
