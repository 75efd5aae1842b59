import { DateTime } from 'luxon';
import { addDays, daysBetween } from './period.js';

/**
 * When the digest for local date `date` is due: the next day at `at` ("HH:MM") in `tz`.
 * A time that does not exist (spring forward) moves forward by the gap; a time that occurs
 * twice (fall back) resolves to one instant (luxon takes the later offset), so it fires once.
 */
export function dueAt(date: string, at: string, tz: string): number {
  return DateTime.fromISO(`${addDays(date, 1)}T${at}`, { zone: tz }).toMillis();
}

/** The newest local date whose digest is due at `now`. */
export function latestDueDate(now: number, at: string, tz: string): string {
  const today = DateTime.fromMillis(now, { zone: tz }).toISODate()!;
  const yesterday = addDays(today, -1);
  return dueAt(yesterday, at, tz) <= now ? yesterday : addDays(today, -2);
}

export interface Plan {
  fromDate: string;
  toDate: string;
  /** Days that were due but are too old to include (catch-up is capped). */
  droppedDays: number;
}

/**
 * What to send now, given the last date already covered (null: never ran). One digest covers
 * every missed day (capped at `maxDays`) so a long outage yields a single catch-up, not a flood.
 * Null when nothing is due, or on the very first run (`baseline`: record, don't backfill).
 */
export function planNext(
  lastCovered: string | null,
  now: number,
  at: string,
  tz: string,
  maxDays: number,
): { kind: 'none' } | { kind: 'baseline'; date: string } | { kind: 'send'; plan: Plan } {
  const latest = latestDueDate(now, at, tz);
  if (lastCovered === null) return { kind: 'baseline', date: latest };
  if (latest <= lastCovered) return { kind: 'none' };
  const first = addDays(lastCovered, 1);
  const missed = daysBetween(first, latest) + 1;
  const fromDate = missed > maxDays ? addDays(latest, -(maxDays - 1)) : first;
  return { kind: 'send', plan: { fromDate, toDate: latest, droppedDays: Math.max(0, missed - maxDays) } };
}
