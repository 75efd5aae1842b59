import { DateTime } from 'luxon';
import type { DB } from '../store/db.js';
import type { MaintenanceWindow } from '../config/schema.js';
import { equalsValue, fieldOf, matchesAll, type Matcher, type SilenceField } from './matchers.js';
import type { Incident } from './types.js';

export { parseMatcher, formatMatcher, matchesAll, validateMatcher, vocabularyOf, MatcherError, MATCH_OPS } from './matchers.js';
export type { Matcher, MatchOp, SilenceField, Vocabulary } from './matchers.js';

export interface Silence {
  id: number;
  matchers: Matcher[];
  starts_at: number;
  ends_at: number;
  comment: string | null;
  created_by: string | null;
  created_at: number;
  expired_at: number | null;
}

interface SilenceRow extends Omit<Silence, 'matchers'> {
  matchers: string;
}

/** Refs and rules on stored incidents, for validation next to the loaded rules' own. */
export function storedVocabulary(db: DB): { ref: string | null; rule: string | null }[] {
  return db.prepare('SELECT DISTINCT ref, rule FROM incidents').all() as { ref: string | null; rule: string | null }[];
}

/** The open (firing or acknowledged) incidents a silence with these matchers would hold: its preview. */
export function previewSilence(db: DB, matchers: Matcher[]): Incident[] {
  const open = db.prepare("SELECT * FROM incidents WHERE state != 'resolved' ORDER BY last_seen DESC").all() as Incident[];
  return open.filter((inc) => matchesAll(inc, matchers));
}

function fromRow(r: SilenceRow): Silence {
  return { ...r, matchers: JSON.parse(r.matchers) as Matcher[] };
}

export class SilenceStore {
  constructor(readonly db: DB) {}

  add(s: { matchers: Matcher[]; startsAt: number; endsAt: number; comment?: string; createdBy?: string }, now: number): Silence {
    if (!s.matchers.length) throw new Error('a silence needs at least one matcher');
    if (s.endsAt <= s.startsAt) throw new Error('a silence must end after it starts');
    const id = this.db
      .prepare(
        `INSERT INTO silences (matchers, starts_at, ends_at, comment, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(JSON.stringify(s.matchers), s.startsAt, s.endsAt, s.comment ?? null, s.createdBy ?? null, now).lastInsertRowid;
    return this.get(Number(id))!;
  }

  get(id: number): Silence | undefined {
    const r = this.db.prepare('SELECT * FROM silences WHERE id = ?').get(id) as SilenceRow | undefined;
    return r && fromRow(r);
  }

  /** Active now: started, not ended, not expired by hand. */
  active(now: number): Silence[] {
    return (
      this.db
        .prepare('SELECT * FROM silences WHERE expired_at IS NULL AND starts_at <= ? AND ends_at > ? ORDER BY id')
        .all(now, now) as SilenceRow[]
    ).map(fromRow);
  }

  list(opts: { all?: boolean } = {}, now = Date.now()): Silence[] {
    const rows = opts.all
      ? (this.db.prepare('SELECT * FROM silences ORDER BY id').all() as SilenceRow[])
      : (this.db.prepare('SELECT * FROM silences WHERE expired_at IS NULL AND ends_at > ? ORDER BY id').all(now) as SilenceRow[]);
    return rows.map(fromRow);
  }

  /** Ends a silence now. Returns false when there was none or it had already ended. */
  expire(id: number, now: number): boolean {
    return this.db.prepare('UPDATE silences SET expired_at = ? WHERE id = ? AND expired_at IS NULL AND ends_at > ?').run(now, id, now).changes > 0;
  }
}

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/**
 * Is `now` inside the window, in the window's own timezone? Compared on local wall time, so a
 * 02:00–04:00 window stays 02:00–04:00 local on both sides of a DST change (and lasts an hour
 * less/more on the change night). A window whose end is before its start runs past midnight
 * and belongs to the day it started.
 */
export function inWindow(w: MaintenanceWindow, now: number): boolean {
  const t = DateTime.fromMillis(now, { zone: w.timezone });
  const cur = t.hour * 60 + t.minute;
  const start = minutes(w.start);
  const end = minutes(w.end);
  const dayOk = (d: DateTime) => !w.days || w.days.includes(DAYS[d.weekday - 1]);
  if (start < end) return cur >= start && cur < end && dayOk(t);
  if (start === end) return dayOk(t); // a whole day
  if (cur >= start) return dayOk(t);
  if (cur < end) return dayOk(t.minus({ days: 1 }));
  return false;
}

function windowMatches(w: MaintenanceWindow, inc: Incident): boolean {
  return Object.entries(w.match).every(([name, v]) => {
    const vals = Array.isArray(v) ? v : [v as string];
    return vals.some((want) => equalsValue(fieldOf(inc, name as SilenceField), want, name as SilenceField));
  });
}

/** What holds an incident's pages now: a silence id, a maintenance window name, or null. */
export class Muter {
  private cache: { at: number; list: Silence[] } | null = null;

  constructor(
    private readonly silences: SilenceStore,
    private readonly windows: MaintenanceWindow[] = [],
  ) {}

  /** Reads silences once per tick (the CLI adds them from another process). */
  refresh(now: number): void {
    this.cache = { at: now, list: this.silences.active(now) };
  }

  mutedBy(inc: Incident, now: number): string | null {
    if (!this.cache || this.cache.at !== now) this.refresh(now);
    for (const s of this.cache!.list) if (matchesAll(inc, s.matchers)) return `silence #${s.id}`;
    for (const w of this.windows) if (inWindow(w, now) && windowMatches(w, inc)) return `maintenance "${w.name}"`;
    return null;
  }
}
