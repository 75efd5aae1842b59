import { StandIn, type Answer, type Seen } from './base.js';

/** One alert as Alertmanager holds it after merging every push of the same label set. */
export interface HeldAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: number;
  endsAt: number;
  generatorURL?: string;
  /** Pushes merged into it. */
  pushes: number;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/**
 * Alertmanager's API v2 as 0.25 serves it, on 127.0.0.1: `POST /api/v2/alerts` takes a JSON array of
 * postableAlert, checks what go-swagger checks (422: a required field missing, a wrong type, a
 * generatorURL that is not a URI) and then what `types.Alert.Validate` checks (400: no labels, an
 * invalid label name or empty value, endsAt before startsAt), and merges alerts by their label set
 * the way its provider does (the later endsAt wins, annotations from the latest push).
 * `GET /api/v2/status` answers version and cluster. `token` makes it demand a bearer token (the
 * reverse proxy a team puts in front).
 */
export class AlertmanagerStandIn extends StandIn {
  readonly alerts = new Map<string, HeldAlert>();
  token: string | undefined;
  version = '0.25.0';
  /** Where the API is mounted (`--web.route-prefix`). */
  prefix = '';

  /** Accepted = an alert POST that Alertmanager took (status reads are not deliveries). */
  protected isAccepted(a: Answer): boolean {
    return a.status === 200 && a.headers?.['x-standin'] !== 'status';
  }

  /** Alerts whose endsAt is still ahead on the stand-in's clock. */
  firing(): HeldAlert[] {
    const now = this.clock();
    return [...this.alerts.values()].filter((a) => a.endsAt > now);
  }

  protected answer(req: Seen): Answer {
    if (this.token && req.headers.authorization !== `Bearer ${this.token}`) return { status: 401, body: 'Unauthorized' };
    if (req.method === 'GET' && req.path === `${this.prefix}/api/v2/status`) {
      return {
        status: 200,
        headers: { 'x-standin': 'status' },
        body: { cluster: { name: 'standin', peers: [{ address: '127.0.0.1:9094', name: 'standin' }], status: 'ready' }, config: { original: 'route: {}' }, uptime: new Date(0).toISOString(), versionInfo: { version: this.version, branch: 'HEAD' } },
      };
    }
    if (req.path !== `${this.prefix}/api/v2/alerts`) return { status: 404, body: '404 page not found\n' };
    if (req.method !== 'POST') return { status: 405, body: 'method not allowed' };
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return { status: 415, body: { code: 415, message: 'unsupported media type' } };
    if (!Array.isArray(req.json)) return { status: 400, body: { code: 400, message: 'parsing alerts body from "" failed, because json: cannot unmarshal object into Go value of type models.PostableAlerts' } };
    const now = this.clock();
    const parsed: HeldAlert[] = [];
    for (const [i, a] of (req.json as unknown[]).entries()) {
      const problem = this.swagger(a, i);
      if (problem) return { status: 422, body: { code: 602, message: problem } };
      const x = a as { labels: Record<string, string>; annotations?: Record<string, string>; startsAt?: string; endsAt?: string; generatorURL?: string };
      const startsAt = x.startsAt ? Date.parse(x.startsAt) : now;
      const endsAt = x.endsAt ? Date.parse(x.endsAt) : now + 5 * 60_000;
      const invalid = validate(x.labels, startsAt, endsAt);
      if (invalid) return { status: 400, body: invalid };
      parsed.push({ labels: x.labels, annotations: x.annotations ?? {}, startsAt, endsAt, generatorURL: x.generatorURL, pushes: 1 });
    }
    for (const a of parsed) this.merge(a, now);
    return { status: 200, body: '' };
  }

  private swagger(a: unknown, i: number): string | undefined {
    if (!a || typeof a !== 'object') return `${i} in body must be of type object`;
    const x = a as Record<string, unknown>;
    if (!x.labels || typeof x.labels !== 'object') return `${i}.labels in body is required`;
    for (const k of ['startsAt', 'endsAt'] as const) {
      if (x[k] !== undefined && (typeof x[k] !== 'string' || !RFC3339.test(x[k] as string))) return `${i}.${k} in body must be of type date-time`;
    }
    if (x.generatorURL !== undefined) {
      try {
        new URL(String(x.generatorURL));
      } catch {
        return `${i}.generatorURL in body must be of type uri`;
      }
    }
    for (const m of ['labels', 'annotations'] as const) {
      const o = x[m] as Record<string, unknown> | undefined;
      if (o && Object.values(o).some((v) => typeof v !== 'string')) return `${i}.${m} in body must be of type string`;
    }
    return undefined;
  }

  private merge(a: HeldAlert, now: number): void {
    const key = JSON.stringify(Object.entries(a.labels).sort(([x], [y]) => (x < y ? -1 : 1)));
    const old = this.alerts.get(key);
    // types.Alert.Merge: a resolved alert is replaced; otherwise the later endsAt wins, the earlier startsAt stays.
    if (!old || old.endsAt <= now) return void this.alerts.set(key, a);
    this.alerts.set(key, {
      ...a,
      startsAt: Math.min(old.startsAt, a.startsAt),
      endsAt: a.endsAt < old.endsAt && a.endsAt > now ? old.endsAt : a.endsAt,
      pushes: old.pushes + 1,
    });
  }
}

function validate(labels: Record<string, string>, startsAt: number, endsAt: number): string | undefined {
  if (!Object.keys(labels).length) return 'at least one label pair required';
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_NAME.test(k)) return `invalid name "${k}"`;
    if (v === '') return `invalid label set: label "${k}" has an empty value`;
  }
  if (Number.isNaN(startsAt) || Number.isNaN(endsAt)) return 'start time missing';
  if (endsAt < startsAt) return 'start time must be before end time';
  return undefined;
}
