import { loadConfig, type LoadedConfig } from '../config/load.js';
import type { DB } from '../store/db.js';
import type { Classifier } from '../classify/types.js';
import { loadClassifierFor } from '../cli/rules.js';
import { startDigest } from '../digest/index.js';
import type { Dispatcher } from '../notify/dispatch.js';
import { createDispatcher, createNotifiers } from '../notify/index.js';
import type { Notifier } from '../notify/notifier.js';
import type { OutboxWorker } from '../notify/outbox/worker.js';
import { effectiveLevel, type Logger } from '../util/log.js';
import type { Ingest } from './ingest.js';
import type { DaemonMetrics } from './metrics.js';
import type { SdNotify } from './sd-notify.js';

/**
 * Commits come in bursts while a backlog is read; a dispatcher tick reads every open incident, so
 * after a tick the next commit-driven one waits this long (a quiet daemon still pages at once).
 */
const HANDLE_GAP_MS = 200;
/** A notifier's close() gets at least this long, even when the shutdown grace is used up. */
const MIN_CLOSE_MS = 500;

export interface ScopeDeps {
  db: DB;
  log: Logger;
  worker: OutboxWorker;
  /** Replaces the channels the config asks for (embedding, tests). */
  makeNotifiers?: (cfg: LoadedConfig) => Notifier[];
}

/**
 * What a config builds and a reload replaces: rules, channels and the dispatcher deciding over them.
 * Built completely (and so validated) before anything running is touched.
 */
export class ConfigScope {
  private constructor(
    readonly cfg: LoadedConfig,
    readonly classifier: Classifier,
    readonly notifiers: Notifier[],
    readonly dispatcher: Dispatcher,
  ) {}

  static async build(cfg: LoadedConfig, d: ScopeDeps): Promise<ConfigScope> {
    const classifier = await loadClassifierFor(cfg);
    const notifiers = d.makeNotifiers?.(cfg) ?? createNotifiers(cfg);
    const dispatcher = createDispatcher(cfg, d.db, d.log, notifiers, { onQueued: () => d.worker.kick(), handleGapMs: HANDLE_GAP_MS });
    return new ConfigScope(cfg, classifier, notifiers, dispatcher);
  }
}

/** Lets channels wind down, within `withinMs` (at least MIN_CLOSE_MS). */
export async function closeNotifiers(list: Notifier[], withinMs: number, log: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const all = Promise.allSettled(list.map((n) => n.close?.()));
  const late = await Promise.race([all.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), Math.max(MIN_CLOSE_MS, withinMs))))]);
  clearTimeout(timer);
  if (late) log.warn('a notifier did not close in time');
}

export interface ReloaderOptions extends ScopeDeps {
  ingest: () => Ingest;
  metrics: () => DaemonMetrics | undefined;
  sd: SdNotify;
  stopping: () => boolean;
  statusText: () => string;
}

/** Settings that are read once: changing them takes a restart. */
const RESTART_ONLY = ['http', 'api_hosts', 'httpSources'] as const;

/**
 * The config-scoped part of the daemon and its swap on SIGHUP (Alertmanager's reloader): a reload
 * builds the next ConfigScope from the file; on any error (config, rules) the running one stays and
 * the failure is logged and counted. Reloads run one after another.
 */
export class Reloader {
  scope: ConfigScope;
  /** The running config; restart-only keys keep their start-up values. */
  current: LoadedConfig;
  private digest: ReturnType<typeof startDigest>;
  private chain: Promise<boolean> | null = null;
  /** What the pipeline classifies with: delegates to the running scope, so a reload needs no new pipeline. */
  readonly classifier: Classifier = {
    classify: (ev) => this.scope.classifier.classify(ev),
    fingerprint: (ev, cls) => this.scope.classifier.fingerprint(ev, cls),
  };

  constructor(
    scope: ConfigScope,
    private readonly o: ReloaderOptions,
  ) {
    this.scope = scope;
    this.current = scope.cfg;
    this.digest = null;
  }

  get dispatcher(): Dispatcher {
    return this.scope.dispatcher;
  }

  /** Starts what runs on its own: the digest scheduler. */
  start(): void {
    this.digest = startDigest(this.o.db, this.current, this.o.log);
  }

  reload(): Promise<boolean> {
    if (this.o.stopping()) return Promise.resolve(false);
    // Signals can arrive back to back; reloads run one after another.
    this.chain = (this.chain ?? Promise.resolve(true)).then(() => this.apply());
    return this.chain;
  }

  /** Waits for a reload under way (shutdown). */
  async settle(): Promise<void> {
    if (this.chain) await this.chain.catch(() => false);
  }

  private async apply(): Promise<boolean> {
    const { log, sd } = this.o;
    await sd.reloading();
    try {
      if (!this.current.configFile) throw new Error('running on built-in defaults: there is no config file to re-read');
      const next = loadConfig(this.current.configFile);
      const scope = await ConfigScope.build(next, this.o);
      const restartOnly: string[] = [];
      if (next.dbPath !== this.current.dbPath) restartOnly.push('state_dir');
      for (const k of RESTART_ONLY) if (JSON.stringify(next[k]) !== JSON.stringify(this.current[k])) restartOnly.push(k === 'httpSources' ? 'sources: - http:' : k);
      if (restartOnly.length) log.warn({ keys: restartOnly }, 'these settings change only on restart; keeping the running values');
      // Everything validated: apply. Nothing above touched the running state.
      const replaced = this.scope;
      const sourcesChanged = JSON.stringify(next.sources) !== JSON.stringify(this.current.sources);
      this.scope = scope;
      this.o.worker.setNotifiers(scope.notifiers);
      this.o.worker.kick();
      void closeNotifiers(replaced.notifiers, this.current.shutdown.notify_grace, log);
      await this.digest?.stop();
      this.digest = startDigest(this.o.db, next, log);
      log.level = effectiveLevel(next.log.level);
      this.o.db.pragma(`busy_timeout = ${next.database.busy_timeout}`);
      this.current = { ...next, dbPath: this.current.dbPath, http: this.current.http, api_hosts: this.current.api_hosts, httpSources: this.current.httpSources };
      this.o.ingest().configure(this.current);
      // The old tailer commits its batch in flight; the new one starts from the checkpoints.
      if (sourcesChanged) await this.o.ingest().restart(this.current, this.o.stopping);
      this.o.metrics()?.reloads.inc({ result: 'ok' });
      log.info({ sources_changed: sourcesChanged, rules: next.rules.files }, 'configuration reloaded');
      return true;
    } catch (err) {
      this.o.metrics()?.reloads.inc({ result: 'failed' });
      log.error({ err: (err as Error).message }, 'reload failed; still running with the previous configuration');
      return false;
    } finally {
      await sd.ready(this.o.statusText());
    }
  }

  /** Shutdown: the channels wind down within what is left of the grace, the digest stops. */
  async close(withinMs: number): Promise<void> {
    await closeNotifiers(this.scope.notifiers, withinMs, this.o.log);
    await this.digest?.stop();
  }
}
