import { hostname } from 'node:os';
import type { AlertmanagerConfig } from '../../config/schema.js';
import type { Notification } from '../notifier.js';
import { Router } from '../route.js';
import type { ClientOptions, Sent } from '../chat/client.js';
import { ChatNotifier, type Probe } from '../chat/notifier.js';
import { bodyAt, toPush, type AlertPush } from './alert.js';
import { peerFrom, peerName, postAlerts, probePeer, type Peer } from './client.js';

export const CHANNEL = 'alertmanager';
/**
 * Alertmanager documents no limit; fifty alerts a second per peer drains a thousand open incidents'
 * resends well inside one resend interval without flooding it.
 */
export const ALERTMANAGER_RATE = { perSecond: 50 } as const;
/** `notify test alertmanager`'s alert: its own name, so routes and inhibitions can tell it apart. */
export const TEST_ALERT_NAME = 'ApiwatchTest';
/** How long the `notify test` alert stays firing. */
const TEST_ALERT_MS = 5 * 60_000;

/** Every peer is its own outbox target: each gets every alert and retries on its own (a stopped peer holds back no other). */
export function alertmanagerRouter(cfg: AlertmanagerConfig): Router<Peer> {
  const r = new Router<Peer>();
  for (const url of cfg.urls) r.add(peerName(url), peerFrom(url, cfg), { match: {}, continue: true });
  return r;
}

/**
 * A sources' origin host: HTTP-source origins are `host:file` (src/ingest/http originKey), local
 * files are absolute paths — those were seen by this instance.
 */
export function originHost(source: string, instance: string): string {
  const colon = source.indexOf(':');
  if (colon > 0 && !source.slice(0, colon).includes('/')) return source.slice(0, colon);
  return instance;
}

/**
 * Pushes incidents to Alertmanager's API v2 the way Prometheus pushes alerts: to every peer, again
 * every resend_interval while firing (each push valid for four intervals), and a resolve with
 * `endsAt` = the resolve time. Alertmanager does the grouping, deduplication across instances,
 * silencing, inhibition and routing.
 */
export class AlertmanagerNotifier extends ChatNotifier<Peer> {
  readonly name = CHANNEL;
  readonly resendIntervalMs: number;
  private readonly instance: string;

  constructor(
    private readonly cfg: AlertmanagerConfig,
    private readonly o: Omit<ClientOptions, 'timeoutMs'> & { publicUrl?: string | null } = {},
  ) {
    super(alertmanagerRouter(cfg), cfg.min_severity, ALERTMANAGER_RATE);
    this.resendIntervalMs = cfg.resend_interval;
    this.instance = cfg.instance ?? hostname();
  }

  protected payload(n: Notification): AlertPush {
    const hosts = [...new Set((n.sources ?? []).map((s) => originHost(s, this.instance)))];
    const ctx = { labels: this.cfg.labels, hosts: hosts.length ? hosts : [this.instance], publicUrl: this.o.publicUrl, resendIntervalMs: this.resendIntervalMs };
    return n.kind === 'resolved' ? toPush(n.incident, ctx, n.at, n.incident.resolved_at ?? n.at) : toPush(n.incident, ctx, n.at);
  }

  protected send(p: Peer, payload: unknown): Promise<Sent> {
    const now = (this.o.now ?? Date.now)();
    return postAlerts(p, bodyAt(payload as AlertPush, now), { timeoutMs: this.cfg.timeout, ...this.o });
  }

  /** A real alert, `alertname="ApiwatchTest"`, severity info, firing for five minutes: it proves the route to the receivers. */
  protected testPayload(): AlertPush {
    const now = (this.o.now ?? Date.now)();
    return {
      alert: {
        labels: { ...this.cfg.labels, alertname: TEST_ALERT_NAME, severity: 'info' },
        annotations: { summary: 'apiwatch test alert', description: `sent by apiwatch on ${this.instance} (notify test alertmanager); it ends by itself` },
        startsAt: new Date(now).toISOString(),
        endsAt: new Date(now + TEST_ALERT_MS).toISOString(),
      },
    };
  }

  /** Peers are not routes: errors name `notify.alertmanager.<key>` as they are (the peer is in the target name). */
  protected override setting(text: string): string {
    return text;
  }

  protected probeTarget(p: Peer): Promise<Probe> {
    return probePeer(p, this.cfg.timeout, this.o.fetchImpl);
  }
}
