import { DateTime } from 'luxon';

/**
 * A digest period: whole local calendar days [fromDate 00:00, toDate+1 00:00) in `timezone`.
 * Calendar days (not "24 h before the send time") so a digest is about "yesterday" as people
 * say it; on DST transition days the period is 23 or 25 hours long.
 */
export interface Period {
  /** Last local date covered; the unique key of the digest. */
  key: string;
  fromDate: string;
  toDate: string;
  timezone: string;
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive. */
  end: number;
  days: number;
}

export function hostTimezone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function isIsoDate(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && DateTime.fromISO(s, { zone: 'UTC' }).isValid;
}

function dayStart(date: string, tz: string): DateTime {
  const d = DateTime.fromISO(date, { zone: tz });
  if (!d.isValid) throw new Error(`invalid date "${date}" (expected YYYY-MM-DD)`);
  return d.startOf('day');
}

export function addDays(date: string, n: number): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days: n }).toISODate()!;
}

export function daysBetween(from: string, to: string): number {
  return Math.round(DateTime.fromISO(to, { zone: 'UTC' }).diff(DateTime.fromISO(from, { zone: 'UTC' }), 'days').days);
}

export function makePeriod(fromDate: string, toDate: string, timezone: string): Period {
  const start = dayStart(fromDate, timezone);
  const end = dayStart(addDays(toDate, 1), timezone);
  return {
    key: toDate,
    fromDate,
    toDate,
    timezone,
    start: start.toMillis(),
    end: end.toMillis(),
    days: daysBetween(fromDate, toDate) + 1,
  };
}

/** The same number of local days right before `p`, for the ▲/▼ comparison. */
export function previousPeriod(p: Period): Period {
  return makePeriod(addDays(p.fromDate, -p.days), addDays(p.fromDate, -1), p.timezone);
}

export function periodLabel(p: Period): string {
  return p.fromDate === p.toDate ? p.toDate : `${p.fromDate} – ${p.toDate}`;
}

export interface Bucket {
  start: number;
  end: number;
  /** Local hour "HH" or date "MM-DD". */
  label: string;
}

/**
 * Chart buckets: local hours for up to two days (a DST day has 23 or 25 of them; the repeated
 * hour shows twice), local days for longer catch-ups so the chart still fits 600 px.
 */
export function buckets(p: Period): { unit: 'hour' | 'day'; buckets: Bucket[] } {
  const unit = p.days <= 2 ? 'hour' : 'day';
  const out: Bucket[] = [];
  let t = DateTime.fromMillis(p.start, { zone: p.timezone });
  while (t.toMillis() < p.end) {
    const next = unit === 'hour' ? t.plus({ hours: 1 }) : t.plus({ days: 1 }).startOf('day');
    out.push({ start: t.toMillis(), end: Math.min(next.toMillis(), p.end), label: t.toFormat(unit === 'hour' ? 'HH' : 'MM-dd') });
    t = next;
  }
  return { unit, buckets: out };
}
