import { DateTime } from 'luxon';

/** The machine's zone (what a person at this terminal reads times in, unless told otherwise). */
export function localTimezone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** `2026-11-27T10:15:30.123+08:00`: ISO 8601 in `zone`, with its offset, so it is never misread as UTC. */
export function isoInZone(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toISO() ?? new Date(ms).toISOString();
}

/** Colour for a person at a terminal: only on a TTY, never with NO_COLOR set (no-color.org), forced by FORCE_COLOR. */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}
