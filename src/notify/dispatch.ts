import type { DB } from '../store/db.js';
import type { IncidentChange, Incident } from '../incidents/types.js';
import { IncidentStore } from '../incidents/store.js';
import { Lifecycle, isFlapping } from '../incidents/lifecycle.js';
import { Muter } from '../incidents/silences.js';
import type { Logger } from '../util/log.js';
import type { Notification, Notifier } from './notifier.js';
import { DEFAULT_POLICY, decide, type NotifyState, type PagingPolicy } from './policy.js';
import { OutboxStore } from './outbox/store.js';
import { Resender } from './resend.js';

export interface DispatcherOptions {
  db: DB;
  /** The channels: each renders its outbox rows inside the decision's transaction. */
  notifiers: Notifier[];
  log: Logger;
  muter: Muter;
  policy?: Partial<PagingPolicy>;
  /** Default quiet period for incidents whose row has none. */
  resolveAfterMs?: number;
  flapThreshold?: number;
  flapWindowMs?: number;
  now?: () => number;
  /** Called after a tick queued durable messages (wake the outbox worker). */
  onQueued?: () => void;
  /**
   * Least time between two ticks run by handle() (wall ms; 0 = a tick per commit). A tick reads every
   * open incident, so during a burst of commits one trailing tick covers many of them.
   */
  handleGapMs?: number;
}

type Row = Incident & { ns_epoch: number | null } & Partial<Record<`ns_${keyof NotifyState}`, unknown>>;

/**
 * Decides, on every tick and right after every committed batch, which incidents to page about:
 * auto-resolves quiet incidents, applies silences, then the paging policy. The decision
 * (incident_notify) and every channel's outbox rows commit in one transaction: a crash leaves
 * either both or neither, so a restart neither forgets a page nor repeats one. Delivery is the
 * OutboxWorker's; nothing here does I/O outside the database.
 */
export class Dispatcher {
  readonly policy: PagingPolicy;
  private readonly now: () => number;
  private readonly lifecycle: Lifecycle;
  private readonly incidents: IncidentStore;
  private readonly candidates;
  private readonly upsert;
  private readonly outbox: OutboxStore;
  private readonly resender: Resender;
  /** Outbox rows the last tick's resend stage queued. */
  private resent = 0;
  private readonly tx: (now: number) => Notification[];

  constructor(private readonly o: DispatcherOptions) {
    this.now = o.now ?? Date.now;
    const minOfNotifiers = o.notifiers.map((n) => n.minSeverity).filter((s) => s !== undefined);
    this.policy = { ...DEFAULT_POLICY, ...o.policy };
    // Gate at the most permissive notifier; each notifier filters to its own minimum.
    if (!o.policy?.minSeverity && minOfNotifiers.length) {
      const order = ['info', 'warning', 'error', 'critical'];
      this.policy.minSeverity = minOfNotifiers.sort((a, b) => order.indexOf(a!) - order.indexOf(b!))[0]!;
    }
    this.lifecycle = new Lifecycle(o.db, o.resolveAfterMs);
    this.incidents = new IncidentStore(o.db);
    this.outbox = new OutboxStore(o.db);
    this.resender = new Resender(o.db, o.muter);
    // Open incidents that decide() could page now, and resolved ones whose closing has not been recorded
    // yet. An open incident paged in this cycle can only page again on an escalation, an ack, or once
    // group_interval / repeat_interval have passed (@quiet, the shorter): leaving the rest out keeps a
    // tick cheap with thousands of open incidents (a tick runs every second and after commits).
    this.candidates = o.db.prepare(
      `SELECT i.*, n.epoch AS ns_epoch, n.first_paged_at AS ns_first_paged_at, n.last_paged_at AS ns_last_paged_at,
              n.last_count AS ns_last_count, n.last_severity AS ns_last_severity, n.last_kind AS ns_last_kind,
              n.pages AS ns_pages, n.flapping_since AS ns_flapping_since
       FROM incidents i LEFT JOIN incident_notify n ON n.incident_id = i.id
       WHERE (i.state != 'resolved' AND (
                n.incident_id IS NULL OR n.epoch != i.epoch OR n.last_kind = 'resolved'
                OR (i.page_requested_at IS NOT NULL AND i.page_requested_at > n.last_paged_at)
                OR (i.state = 'acknowledged' AND n.last_kind != 'acknowledged' AND i.acknowledged_at >= n.last_paged_at)
                OR n.last_paged_at <= @now - @quiet))
          OR (i.state = 'resolved' AND n.incident_id IS NOT NULL AND n.last_kind != 'resolved')
       ORDER BY i.id`,
    );
    this.upsert = o.db.prepare(
      `INSERT INTO incident_notify (incident_id, epoch, first_paged_at, last_paged_at, last_count, last_severity, last_kind, pages, flapping_since)
       VALUES (@id, @epoch, @now, @now, @count, @severity, @kind, @pages, @flapping)
       ON CONFLICT(incident_id) DO UPDATE SET
         first_paged_at = CASE WHEN excluded.epoch != incident_notify.epoch THEN excluded.first_paged_at ELSE incident_notify.first_paged_at END,
         epoch = excluded.epoch, last_paged_at = excluded.last_paged_at, last_count = excluded.last_count,
         last_severity = excluded.last_severity, last_kind = excluded.last_kind, pages = incident_notify.pages + @pages,
         flapping_since = excluded.flapping_since`,
    );
    this.tx = o.db.transaction((now: number) => this.decideAll(now));
  }

  private notifyState(r: Row): NotifyState | undefined {
    if (r.ns_epoch === null || r.ns_epoch === undefined) return undefined;
    return {
      incident_id: r.id,
      epoch: r.ns_epoch,
      first_paged_at: r.ns_first_paged_at as number,
      last_paged_at: r.ns_last_paged_at as number,
      last_count: r.ns_last_count as number,
      last_severity: r.ns_last_severity as NotifyState['last_severity'],
      last_kind: r.ns_last_kind as NotifyState['last_kind'],
      pages: r.ns_pages as number,
      flapping_since: (r.ns_flapping_since as number | null) ?? null,
    };
  }

  private decideAll(now: number): Notification[] {
    const out: Notification[] = [];
    this.o.muter.refresh(now);
    const quiet = Math.min(this.policy.groupInterval, this.policy.repeatInterval);
    for (const r of this.candidates.all({ now, quiet }) as Row[]) {
      const ns = this.notifyState(r);
      const flapping = isFlapping(r, now, this.o.flapThreshold ?? 3, this.o.flapWindowMs ?? 3_600_000);
      const d = decide(r, ns, { now, policy: this.policy, mutedBy: this.o.muter.mutedBy(r, now), flapping });
      if (!d) continue;
      const inc = stripNs(r);
      if (d.action === 'close') {
        this.upsert.run({ id: r.id, epoch: r.epoch, now: ns?.last_paged_at ?? now, count: r.count, severity: r.severity, kind: 'resolved', pages: 0, flapping: null });
        continue;
      }
      const n: Notification = {
        kind: d.kind,
        incident: inc,
        newEvents: r.count - (ns?.last_count ?? 0),
        at: now,
        rate: this.incidents.ratePerMinute(r.id, now),
        reason: d.kind === 'escalated' ? r.page_reason : null,
        flapping: flapping && d.kind !== 'resolved',
        sources: this.incidents.recentSources(r.id),
      };
      const flapSince = n.flapping ? (ns?.flapping_since ?? now) : null;
      this.upsert.run({ id: r.id, epoch: r.epoch, now, count: r.count, severity: r.severity, kind: d.kind, pages: 1, flapping: flapSince });
      for (const notifier of this.o.notifiers) {
        if (notifier.resendIntervalMs) {
          this.resender.push(notifier, n, n.kind, now);
          continue;
        }
        for (const m of notifier.render(n)) {
          this.outbox.enqueue({ channel: notifier.name, target: m.target, incidentId: r.id, kind: n.kind, payload: m.payload }, now);
        }
      }
      out.push(n);
    }
    // In the same transaction: what re-sending channels must hear again (and resolves the policy did not page).
    this.resent = this.resender.run(this.o.notifiers, now);
    return out;
  }

  private get consoleOn(): boolean {
    return this.o.notifiers.some((x) => x.name === 'console');
  }

  /** Auto-resolves, decides and queues. Returns the notifications queued (for tests and logs). */
  tick = (now = this.now()): Notification[] => {
    this.lifecycle.resolveQuiet(now);
    const queued = this.tx(now);
    if (!queued.length) {
      if (this.resent) this.o.onQueued?.();
      return queued;
    }
    // With the console notifier on, its alert block is the record of the page on stdout; a
    // second `INFO page` line before each block is noise there (kept at debug).
    const level = this.consoleOn ? 'debug' : 'info';
    for (const n of queued) this.o.log[level]({ incident: n.incident.id, kind: n.kind, severity: n.incident.severity }, 'page');
    this.o.onQueued?.();
    return queued;
  };

  private lastHandled = 0;
  private deferred: NodeJS.Timeout | null = null;

  /**
   * The pipeline's onChanges: evaluate at once, so group_wait 0 pages without waiting for the timer;
   * within handleGapMs of the last one, once at the end of the gap (that tick sees these changes too).
   */
  handle = (_changes: IncidentChange[]): void => {
    if (this.deferred) return;
    const wait = this.lastHandled + (this.o.handleGapMs ?? 0) - Date.now();
    if (wait <= 0) return this.handledTick();
    this.deferred = setTimeout(() => {
      this.deferred = null;
      this.handledTick();
    }, wait);
    this.deferred.unref?.();
  };

  private handledTick(): void {
    this.lastHandled = Date.now();
    // A deferred tick may come due after shutdown closed the database.
    if (!this.o.db.open) return;
    try {
      this.tick();
    } catch (err) {
      this.o.log.error({ err: (err as Error).message }, 'dispatch failed');
    }
  }
}

function stripNs(r: Row): Incident {
  const inc: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (!k.startsWith('ns_')) inc[k] = v;
  return inc as unknown as Incident;
}
