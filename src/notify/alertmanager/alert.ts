import type { Incident } from '../../incidents/types.js';
import { incidentUrl } from '../../incidents/links.js';

/** The alert name every apiwatch alert carries: one name to route, group and silence on. */
export const ALERT_NAME = 'EasemobApiError';
/**
 * How many resend intervals one push stays valid (Prometheus: `ValidUntil = ts + 4 * max(resend_delay,
 * eval_interval)`, rules/alerting.go): three pushes may be lost before Alertmanager resolves it by itself.
 */
export const VALIDITY_INTERVALS = 4;
/** Most hosts named in the `hosts` annotation; the rest is counted ("+3 more"). */
const MAX_HOSTS = 10;

/** Alertmanager API v2 `postableAlert` (api/v2/openapi.yaml). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

/**
 * What the outbox stores for one push: the alert, and for a firing one how long it stays valid, so
 * `endsAt` is set from the time it is actually delivered (a push retried for minutes must not arrive
 * already expired — Alertmanager would take that as resolved).
 */
export interface AlertPush {
  alert: PostableAlert;
  /** Set on firing pushes: endsAt = delivery time + this. Absent on a resolve (endsAt is the resolve time). */
  valid_for_ms?: number;
}

export interface AlertContext {
  /** Static labels from notify.alertmanager.labels (never one of apiwatch's own). */
  labels: Readonly<Record<string, string>>;
  /** Where the events came from: app hosts (HTTP source origins) or this instance. */
  hosts: readonly string[];
  publicUrl?: string | null;
  resendIntervalMs: number;
}

/**
 * The alert's identity. Only fields that never change during an incident's life, and nothing that
 * names a host: several apiwatch instances seeing the same failure push the same label set, so
 * Alertmanager keeps one alert and deduplicates, groups, silences and routes it. `severity` is the
 * rule's (an escalation would otherwise change the label set and leave the old alert firing);
 * an escalated incident says so in the `escalated` annotation.
 */
export function alertLabels(i: Incident, statics: Readonly<Record<string, string>>): Record<string, string> {
  const own: Record<string, string | null> = {
    alertname: ALERT_NAME,
    ref: i.ref,
    rule: i.rule,
    category: i.category,
    severity: i.base_severity ?? i.severity,
    appkey: i.appkey,
    endpoint: i.endpoint,
  };
  const out: Record<string, string> = { ...statics };
  // Alertmanager treats an empty label as absent; leave unknown fields out instead.
  for (const [k, v] of Object.entries(own)) if (v !== null && v !== '') out[k] = v;
  return out;
}

function hostsText(hosts: readonly string[]): string {
  const shown = hosts.slice(0, MAX_HOSTS).join(', ');
  return hosts.length > MAX_HOSTS ? `${shown} (+${hosts.length - MAX_HOSTS} more)` : shown;
}

/** One incident as a firing alert decided at `at` (`resolvedAt` absent), or as a resolved one. */
export function toPush(i: Incident, c: AlertContext, at: number, resolvedAt?: number): AlertPush {
  const annotations: Record<string, string> = {
    summary: i.title,
    description: i.hint,
    hint_zh: i.hint_zh,
    count: String(i.count),
    first_seen: new Date(i.first_seen).toISOString(),
    hosts: hostsText(c.hosts),
  };
  if (i.base_severity && i.base_severity !== i.severity) annotations.escalated = `${i.base_severity} → ${i.severity}${i.page_reason ? `: ${i.page_reason}` : ''}`;
  if (i.acknowledged_by && i.state === 'acknowledged') annotations.acknowledged_by = i.acknowledged_by;
  // The current cycle's start: a regression is a new alert after the resolved one.
  const startsAt = new Date(Math.min(i.epoch_started_at ?? i.first_seen, resolvedAt ?? Infinity)).toISOString();
  const alert: PostableAlert = {
    labels: alertLabels(i, c.labels),
    annotations,
    startsAt,
    endsAt: new Date(resolvedAt ?? at + VALIDITY_INTERVALS * c.resendIntervalMs).toISOString(),
  };
  const url = incidentUrl(c.publicUrl, i.id);
  if (url) alert.generatorURL = url;
  if (resolvedAt !== undefined) return { alert };
  return { alert, valid_for_ms: VALIDITY_INTERVALS * c.resendIntervalMs };
}

/** The body POSTed at `now`: a firing alert's endsAt moves to now + its validity. */
export function bodyAt(push: AlertPush, now: number): PostableAlert[] {
  if (push.valid_for_ms === undefined) return [push.alert];
  return [{ ...push.alert, endsAt: new Date(now + push.valid_for_ms).toISOString() }];
}
