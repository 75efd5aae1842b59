import type { IncidentChange } from '../incidents/types.js';
import type { Logger } from '../util/log.js';
import { kindFromChange, type Notifier } from './notifier.js';

/**
 * Decides which incident changes become notifications. Spine policy: page on a new incident,
 * a regression and an escalation; the notifier applies its own minimum severity.
 */
export class Dispatcher {
  constructor(
    private readonly notifiers: Notifier[],
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  handle = (changes: IncidentChange[]): void => {
    for (const c of changes) {
      if (c.kind === 'updated') continue;
      const n = { kind: kindFromChange(c.kind), incident: c.incident, newEvents: c.added, at: this.now() };
      for (const notifier of this.notifiers) {
        notifier.send(n).catch((err: Error) => this.log.error({ notifier: notifier.name, err: err.message }, 'notification failed'));
      }
    }
  };
}
