import type { DB } from '../store/db.js';

export type ActionKind = 'acknowledge' | 'resolve' | 'silence' | 'expire';

export interface IncidentAction {
  id: number;
  incident_id: number | null;
  silence_id: number | null;
  action: ActionKind;
  actor: string;
  via: 'cli' | 'web';
  comment: string | null;
  at: number;
}

/** Records who did what by hand; callers run it inside the change's own transaction. */
export function recordAction(db: DB, a: Omit<IncidentAction, 'id'>): void {
  db.prepare(
    'INSERT INTO incident_actions (incident_id, silence_id, action, actor, via, comment, at) VALUES (@incident_id, @silence_id, @action, @actor, @via, @comment, @at)',
  ).run(a);
}

export function actionsFor(db: DB, incidentId: number): IncidentAction[] {
  return db.prepare('SELECT * FROM incident_actions WHERE incident_id = ? ORDER BY at, id').all(incidentId) as IncidentAction[];
}
