import type { Severity } from '../classify/types.js';
import type { Incident } from '../incidents/types.js';

/** The target a channel's own top-level URL makes (`notify.<channel>.webhook_url`). */
export const DEFAULT_TARGET = 'default';

/** Which incidents a route takes: every listed dimension must match; an absent one matches all. */
export interface RouteMatch {
  severity?: Severity[];
  category?: string[];
  appkey?: string[];
}

export interface Route {
  name: string;
  match: RouteMatch;
  continue: boolean;
}

export function routeMatches(m: RouteMatch, inc: Incident): boolean {
  if (m.severity && !m.severity.includes(inc.severity)) return false;
  if (m.category && !m.category.includes(inc.category)) return false;
  if (m.appkey && !m.appkey.includes(inc.appkey ?? '')) return false;
  return true;
}

/**
 * Alertmanager-style routing, the same for every channel: routes are tried in order, the first
 * match wins unless it says `continue`; with no match the channel's default target (if any) gets it.
 */
export function routeTargets(routes: readonly Route[], inc: Incident, hasDefault: boolean): string[] {
  const out: string[] = [];
  for (const r of routes) {
    if (!routeMatches(r.match, inc)) continue;
    out.push(r.name);
    if (!r.continue) return out;
  }
  if (!out.length && hasDefault) out.push(DEFAULT_TARGET);
  return out;
}

/** Targets by name, built from a channel's top-level settings (the default target) and its routes. */
export class Router<T> {
  readonly targets = new Map<string, T>();
  private readonly routes: Route[] = [];

  add(name: string, target: T, route?: { match?: RouteMatch; continue?: boolean }): void {
    this.targets.set(name, target);
    if (route) this.routes.push({ name, match: route.match ?? {}, continue: route.continue ?? false });
  }

  get configured(): boolean {
    return this.targets.size > 0;
  }

  targetsFor(inc: Incident): string[] {
    return routeTargets(this.routes, inc, this.targets.has(DEFAULT_TARGET));
  }
}

/** A route as every channel's config writes it (`name`, `match`, `continue`, plus the channel's own keys). */
export interface RouteConfig {
  name?: string;
  match: RouteMatch;
  continue: boolean;
}

/**
 * A channel's router from its config: the top-level target (when its URL is set) as `default`, then
 * each route as `route-<n>` unless named.
 */
export function routerFrom<R extends RouteConfig, T>(top: T | undefined, routes: readonly R[], target: (r: R) => T): Router<T> {
  const r = new Router<T>();
  if (top) r.add(DEFAULT_TARGET, top);
  routes.forEach((x, i) => r.add(x.name ?? `route-${i + 1}`, target(x), x));
  return r;
}
