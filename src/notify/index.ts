import type { LoadedConfig } from '../config/load.js';
import { slackDefaults } from '../config/schema.js';
import type { DB } from '../store/db.js';
import type { Logger } from '../util/log.js';
import { Muter, SilenceStore } from '../incidents/silences.js';
import { ConsoleNotifier } from './console/index.js';
import { Dispatcher } from './dispatch.js';
import type { Notifier } from './notifier.js';
import { OutboxStore } from './outbox/store.js';
import { OutboxWorker } from './outbox/worker.js';
import { SlackClient } from './slack/client.js';
import { CHANNEL, SlackNotifier, SlackRouter } from './slack/index.js';

export interface NotifySystem {
  dispatcher: Dispatcher;
  /** Null when no Slack webhook is configured (the console notifier is the default then). */
  worker: OutboxWorker | null;
  start(): void;
  stop(): Promise<void>;
}

/** Builds incidents → notify for the daemon from config: dispatcher, notifiers and the outbox worker. */
export interface NotifyOptions {
  tickMs?: number;
  now?: () => number;
  /** Replaces the console/Slack notifiers the config asks for (embedding, tests). */
  notifiers?: Notifier[];
  /** Wraps every notifier (the daemon counts sends and tracks in-flight ones for shutdown). */
  wrap?: (n: Notifier) => Notifier;
}

export function createNotify(cfg: LoadedConfig, db: DB, log: Logger, opts: NotifyOptions = {}): NotifySystem {
  const slack = cfg.notify.slack ?? slackDefaults();
  const notifiers: Notifier[] = [];
  const router = new SlackRouter(slack);
  let worker: OutboxWorker | null = null;
  const outbox = new OutboxStore(db);
  if (router.configured) {
    notifiers.push(new SlackNotifier(outbox, router, { minSeverity: slack.min_severity, language: slack.language }));
    const client = new SlackClient(slack.timeout);
    worker = new OutboxWorker({
      store: outbox,
      channel: CHANNEL,
      targets: router.urls,
      post: (url, payload) => client.post(url, payload as never),
      log,
      now: opts.now,
      minIntervalMs: slack.min_interval,
      maxAgeMs: slack.max_age,
    });
  }
  if (cfg.notify.console.enabled || !router.configured) notifiers.push(new ConsoleNotifier(cfg.notify.console.min_severity));
  const chosen = opts.notifiers ?? notifiers;
  const dispatcher = new Dispatcher({
    db,
    notifiers: opts.wrap ? chosen.map(opts.wrap) : chosen,
    log,
    muter: new Muter(new SilenceStore(db), cfg.notify.maintenance),
    policy: {
      groupWait: slack.group_wait,
      groupInterval: slack.group_interval,
      repeatInterval: slack.repeat_interval,
      updateFactor: slack.update_factor,
    },
    resolveAfterMs: cfg.incidents.resolve_after,
    flapThreshold: cfg.incidents.flap_threshold,
    flapWindowMs: cfg.incidents.flap_window,
    now: opts.now,
    onQueued: () => worker?.kick(),
  });
  let timer: NodeJS.Timeout | undefined;
  let pruner: NodeJS.Timeout | undefined;
  const prune = () => {
    try {
      outbox.prune(Date.now() - cfg.retention.events_days * 86_400_000);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'outbox prune failed');
    }
  };
  return {
    dispatcher,
    worker,
    start() {
      worker?.start();
      // Timers (group_wait, group_interval, repeat, auto-resolve) advance even with no new lines.
      timer = setInterval(() => {
        try {
          dispatcher.tick();
        } catch (err) {
          log.error({ err: (err as Error).message }, 'dispatch tick failed');
        }
      }, opts.tickMs ?? 1000);
      prune();
      pruner = setInterval(prune, 3_600_000);
      pruner.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      if (pruner) clearInterval(pruner);
      await worker?.stop();
    },
  };
}
