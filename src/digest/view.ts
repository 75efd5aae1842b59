import { causeName, type CauseGroup, type CauseRow } from './causes.js';
import type { Language } from './format.js';
import type { DigestData } from './query.js';

/*
 * Decisions both parts share (HTML and text carry the same sections, in the same order, with the
 * same caps), so they cannot drift apart.
 */

export interface ViewOptions {
  language: Language;
  /** Missed days left out of a capped catch-up. */
  droppedDays?: number;
  /** When the scheduled digest was due; a note says so when it goes out well after that. */
  dueAt?: number;
  /** Base URL of the web UI (`http.public_url`): incidents link to <url>/incidents/<id> instead of an ack command. */
  publicUrl?: string | null;
}

/** Causes shown as full rows (title, apps, endpoints, hint); the rest as one line each, below the first screen. */
export const FULL_CAUSE_ROWS = 12;
/** Cause groups per later section (new/regressed, resolved); the rest are named in one line. */
export const SECTION_CAUSES = 10;
/** Incidents named per cause group; the rest behind `apiwatch incidents --ref X`. */
export const GROUP_INCIDENTS = 3;
/** Incident ids put into one ack command. */
export const ACK_IDS = 8;
/** Apps / endpoints named per action. */
export const ACTION_TARGETS = 3;

export type SectionId = 'actions' | 'causes' | 'expected' | 'changed' | 'resolved' | 'endpoints' | 'chart' | 'dead' | 'silences';

/** The order of the digest's sections: what needs doing first, then the causes, then the rest. */
export function sectionOrder(d: DigestData): SectionId[] {
  const out: SectionId[] = ['actions'];
  if (d.total > 0) out.push('causes');
  if (expectedCauses(d).length) out.push('expected');
  if (d.total > 0) out.push('changed');
  if (d.total > 0 || d.counts.resolved > 0) out.push('resolved');
  if (d.total > 0) out.push('endpoints', 'chart');
  if (d.deadLetters !== null) out.push('dead');
  if (d.silences !== null) out.push('silences');
  return out;
}

/** `info` rows are expected outcomes (already a member, user exists): shown apart and small. */
export function expectedCauses(d: DigestData): CauseRow[] {
  return d.causes.filter((c) => c.severity === 'info');
}

export function actionableCauses(d: DigestData): CauseRow[] {
  return d.causes.filter((c) => c.severity !== 'info');
}

export function incidentsCommand(key: string, state?: string): string {
  const ref = key ? ` --ref ${shellWord(key)}` : '';
  return `apiwatch incidents${ref}${state ? ` --state ${state}` : ''}`;
}

/** Refs and rule ids are [A-Za-z0-9._-]; anything else is quoted so a pasted command stays one word. */
function shellWord(s: string): string {
  return /^[A-Za-z0-9._-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

export function incidentUrl(base: string, id: number): string {
  return `${base.replace(/\/+$/, '')}/incidents/${id}`;
}

/** The command that acknowledges a cause's open incidents (capped), and the pointer for the rest. */
export function ackCommand(g: CauseGroup): { command: string; rest: string | null } {
  const ids = g.incidents.slice(0, ACK_IDS).map((i) => i.id);
  const command = ids.length === 1 ? `apiwatch incident ack ${ids[0]}` : `for id in ${ids.join(' ')}; do apiwatch incident ack $id; done`;
  const left = g.incidents.length - ids.length;
  return { command, rest: left > 0 ? `+${left}: ${incidentsCommand(g.key, 'firing')}` : null };
}

export function causeLabel(key: string): string {
  return causeName(key);
}

/** Names of the folded groups of a section, for "…and N more causes: E12, E30, …". */
export function foldedNames(groups: { key: string }[], max = 12): string {
  const names = groups.slice(0, max).map((g) => causeName(g.key));
  return names.join(', ') + (groups.length > max ? ', …' : '');
}

/** Log text that shows the cause (the worst incident's last error), clipped; escaped by the caller. */
export const LAST_ERROR_CHARS = 240;
export function lastError(g: CauseGroup): string | null {
  const i = g.incidents.find((x) => x.last_description);
  if (!i) return null;
  return `${i.error ? `${i.error}: ` : ''}${i.last_description}`;
}
