/**
 * Timestamp extraction. Zone-less times are read in the configured IANA zone with luxon
 * (DST-safe); times with `Z`/offsets are computed directly (no luxon on that path).
 */
import { DateTime } from 'luxon';

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};

// 2026-11-27T10:15:30.123Z, 2026-11-27 10:15:30,123, 2026/11/27 10:15:30 (Go log), +08:00 / +0800 / Z
const ISO = /(\d{4})[-/](\d{2})[-/](\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s?(Z|[+-]\d{2}(?::?\d{2})?(?![\d:]))?/;
// nginx/Apache: 27/Nov/2026:10:15:30 +0800
const CLF = /(\d{2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\s([+-]\d{4}))?/;
// java.util.logging SimpleFormatter: Nov 27, 2026 10:15:30 AM
const JUL = /([A-Z][a-z]{2}) (\d{1,2}), (\d{4}) (\d{1,2}):(\d{2}):(\d{2}) ([AP]M)/;
// Time of day only at the start (pino-pretty `[10:15:30.123]`): today in the zone.
const CLOCK = /^\[?(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\]? /;
// syslog: Nov 27 10:15:30 (no year)
const SYSLOG = /^(?:<\d+>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})/;

function offsetMin(z: string): number {
  if (z === 'Z') return 0;
  const sign = z[0] === '-' ? -1 : 1;
  const d = z.slice(1).replace(':', '');
  return sign * (Number(d.slice(0, 2)) * 60 + Number(d.slice(2, 4) || 0));
}

function compose(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, zone: string | undefined, tz: string): number | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null;
  const utc = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  if (zone !== undefined) return utc - offsetMin(zone) * 60000;
  // Zone offsets change on hour boundaries: ask luxon once per local hour (it is the slow part).
  const key = tz + '|' + y + '-' + mo + '-' + d + 'T' + h;
  let off = OFFSETS.get(key);
  if (off === undefined) {
    const dt = DateTime.fromObject({ year: y, month: mo, day: d, hour: h }, { zone: tz });
    if (!dt.isValid) return null;
    off = Date.UTC(y, mo - 1, d, h) - dt.toMillis();
    if (OFFSETS.size > 2000) OFFSETS.clear();
    OFFSETS.set(key, off);
  }
  return utc - off;
}

const OFFSETS = new Map<string, number>();

const frac = (f: string | undefined): number => (f ? Number((f + '00').slice(0, 3)) : 0);

/** A time written in text (the first 120 chars of a line are searched). */
export function timeFromText(line: string, tz: string, now: number): number | null {
  const head = line.length > 120 ? line.slice(0, 120) : line;
  let m = ISO.exec(head);
  if (m) return compose(+m[1], +m[2], +m[3], +m[4], +m[5], +m[6], frac(m[7]), m[8], tz);
  m = CLF.exec(head);
  if (m) {
    const mo = MONTHS[m[2].toLowerCase()];
    if (mo) return compose(+m[3], mo, +m[1], +m[4], +m[5], +m[6], 0, m[7], tz);
  }
  m = JUL.exec(head);
  if (m) {
    const mo = MONTHS[m[1].toLowerCase()];
    const h = (+m[4] % 12) + (m[7] === 'PM' ? 12 : 0);
    if (mo) return compose(+m[3], mo, +m[2], h, +m[5], +m[6], 0, undefined, tz);
  }
  m = SYSLOG.exec(head);
  if (m) {
    const mo = MONTHS[m[1].toLowerCase()];
    if (!mo) return null;
    const year = DateTime.fromMillis(now, { zone: tz }).year;
    let t = compose(year, mo, +m[2], +m[3], +m[4], +m[5], 0, undefined, tz);
    // Syslog has no year: a time far in the future belongs to last year (log read across New Year).
    if (t !== null && t - now > 2 * 86400000) t = compose(year - 1, mo, +m[2], +m[3], +m[4], +m[5], 0, undefined, tz);
    return t;
  }
  m = CLOCK.exec(head);
  if (m) {
    const d = DateTime.fromMillis(now, { zone: tz });
    let t = compose(d.year, d.month, d.day, +m[1], +m[2], +m[3], frac(m[4]), undefined, tz);
    // Just after midnight, a late-evening time is yesterday's.
    if (t !== null && t - now > 3600000) t -= 86400000;
    return t;
  }
  return null;
}

/** A time field of a JSON log record: epoch ms / s (number or numeric string) or a date string. */
export function timeFromValue(v: unknown, tz: string, now: number): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) {
    if (v > 1e14) return Math.floor(v / 1e6); // ns (some Go/zerolog configs)
    if (v > 1e11) return Math.floor(v); // ms
    if (v > 1e8) return Math.round(v * 1000); // s, possibly fractional (zap, structlog)
    return null;
  }
  if (typeof v === 'string' && v.length >= 8 && v.length <= 64) {
    if (/^\d+(\.\d+)?$/.test(v)) return timeFromValue(Number(v), tz, now);
    return timeFromText(v, tz, now);
  }
  return null;
}

export function hostZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
