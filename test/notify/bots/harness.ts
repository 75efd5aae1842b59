import { join } from 'node:path';
import { after } from 'node:test';
import { openDatabase, type DB } from '../../../src/store/db.js';
import type { ClassifiedEvent } from '../../../src/classify/types.js';
import { IncidentStore } from '../../../src/incidents/store.js';
import { Muter, SilenceStore } from '../../../src/incidents/silences.js';
import { Dispatcher } from '../../../src/notify/dispatch.js';
import type { Notifier } from '../../../src/notify/notifier.js';
import { OutboxStore } from '../../../src/notify/outbox/store.js';
import { OutboxWorker } from '../../../src/notify/outbox/worker.js';
import { silentLogger } from '../../../src/util/log.js';
import { tempDir } from '../../helpers/tmp.js';
import { T0 } from './fixtures.js';

/** The real dispatcher, outbox and OutboxWorker over a real SQLite file, on a clock the test moves. */
export interface BotHarness {
  db: DB;
  clock: { t: number };
  now: () => number;
  outbox: OutboxStore;
  worker: OutboxWorker;
  dispatcher: Dispatcher;
  record(events: ClassifiedEvent[]): void;
  /** Jumps the clock to each next due attempt and pumps, until nothing is pending or `maxMs` of clock has passed. */
  drain(maxMs: number): Promise<void>;
}

export function botHarness(make: (now: () => number) => Notifier[], start = T0): BotHarness {
  const db = openDatabase(join(tempDir(), 'apiwatch.db'));
  after(() => db.open && db.close());
  const clock = { t: start };
  const now = () => clock.t;
  const notifiers = make(now);
  const incidents = new IncidentStore(db, { resolveAfterMs: 1_800_000 });
  const outbox = new OutboxStore(db);
  const dispatcher = new Dispatcher({
    db, notifiers, log: silentLogger, muter: new Muter(new SilenceStore(db), []),
    policy: { groupWait: 0, groupInterval: 300_000, repeatInterval: 14_400_000 }, resolveAfterMs: 1_800_000, now,
  });
  const worker = new OutboxWorker({ store: outbox, notifiers, log: silentLogger, now, random: () => 0.5 });
  const commit = db.transaction((events: ClassifiedEvent[]) => incidents.record(events, clock.t));
  return {
    db, clock, now, outbox, worker, dispatcher,
    record(events) {
      dispatcher.handle(commit(events));
    },
    async drain(maxMs) {
      const end = clock.t + maxMs;
      while (clock.t <= end) {
        await worker.pump();
        const due = worker.nextDueIn();
        if (due === null) return;
        clock.t += Math.max(1, due);
      }
    },
  };
}
