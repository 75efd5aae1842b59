import { actionsFor } from '../../incidents/actions.js';
import type { Command } from 'commander';
import { terminalSafe } from '../../util/text.js';
import { userInfo } from 'node:os';
import { CliError, EXIT, getConfig, openExistingDatabase } from '../context.js';
import type { DB } from '../../store/db.js';
import { IncidentStore } from '../../incidents/store.js';
import { Lifecycle, LifecycleError } from '../../incidents/lifecycle.js';
import { Muter, SilenceStore } from '../../incidents/silences.js';
import { incidentJson } from './incidents.js';

export function parseId(s: string, what = 'ID'): number {
  const n = Number(s.replace(/^#/, ''));
  if (!Number.isInteger(n) || n <= 0) throw new CliError(`${what} must be a positive number, got "${s}"`, EXIT.USAGE);
  return n;
}

export function whoami(): string {
  try {
    return process.env.SUDO_USER || userInfo().username;
  } catch {
    return 'unknown';
  }
}

const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : null);

export function withDb<T>(config: string | undefined, fn: (db: DB, cfg: ReturnType<typeof getConfig>) => T): T {
  const cfg = getConfig(config);
  const db = openExistingDatabase(cfg);
  try {
    return fn(db, cfg);
  } catch (err) {
    if (err instanceof LifecycleError) throw new CliError(err.message);
    throw err;
  } finally {
    db.close();
  }
}

export function registerIncident(program: Command): void {
  const cmd = program.command('incident').description('Show, acknowledge or resolve one incident.');

  cmd
    .command('show')
    .description('Everything about one incident: state, counts, paging, silences, sample events, messages.')
    .argument('<id>', 'incident number')
    .option('-c, --config <file>', 'config file')
    .option('--json', 'print one JSON object')
    .action((id: string, opts: { config?: string; json?: boolean }) =>
      withDb(opts.config, (db, cfg) => {
        const n = parseId(id);
        const store = new IncidentStore(db);
        const inc = store.get(n);
        if (!inc) throw new CliError(`no incident #${n}`);
        const now = Date.now();
        const mutedBy = new Muter(new SilenceStore(db), cfg.notify.maintenance).mutedBy(inc, now);
        const paging = db.prepare('SELECT * FROM incident_notify WHERE incident_id = ?').get(n) as Record<string, unknown> | undefined;
        const samples = store.samples(n, 3);
        const actions = actionsFor(db, n);
        const messages = db
          .prepare('SELECT id, target, kind, state, attempts, last_status, last_error, created_at, sent_at FROM outbox WHERE incident_id = ? ORDER BY id DESC LIMIT 10')
          .all(n) as Record<string, number | string | null>[];
        const out = {
          ...incidentJson(inc),
          epoch: inc.epoch,
          regressions: inc.regressions,
          base_severity: inc.base_severity,
          escalated_at: iso(inc.escalated_at),
          page_reason: inc.page_reason,
          acknowledged_at: iso(inc.acknowledged_at),
          acknowledged_by: inc.acknowledged_by,
          resolved_at: iso(inc.resolved_at),
          resolved_by: inc.resolved_by,
          resolve_after_ms: inc.resolve_after_ms,
          rate_per_min: store.ratePerMinute(n, now),
          muted_by: mutedBy,
          last_paged_at: iso(paging?.last_paged_at as number | undefined),
          last_page_kind: paging?.last_kind ?? null,
          pages: paging?.pages ?? 0,
          samples: samples.map((s) => ({ ts: iso(s.ts), source: s.source, line: s.line, host: s.host, status: s.status, error: s.error, error_description: s.error_description, raw: s.raw })),
          actions: actions.map((a) => ({ at: iso(a.at), action: a.action, actor: a.actor, via: a.via, comment: a.comment })),
          messages: messages.map((m) => ({ ...m, created_at: iso(m.created_at as number), sent_at: iso(m.sent_at as number | null) })),
        };
        if (opts.json) {
          process.stdout.write(JSON.stringify(out) + '\n');
          return;
        }
        const clean = (s: unknown) => terminalSafe(String(s ?? '–'));
        const lines = [
          `#${inc.id} ${inc.severity.toUpperCase()} ${inc.state}${mutedBy ? ` (muted by ${mutedBy})` : ''}  ${clean(inc.title)}`,
          `  ref ${clean(inc.ref)}  rule ${clean(inc.rule)}  category ${inc.category}`,
          `  ${clean(inc.method)} ${clean(inc.endpoint)}  app ${clean(inc.appkey)}  host ${clean(inc.last_host)}`,
          `  count ${inc.count}  rate ${out.rate_per_min.toFixed(1)}/min  first ${out.first_seen}  last ${out.last_seen}`,
          `  error ${clean(inc.status)} ${clean(inc.error)}: ${clean(inc.last_description)}`,
          `  fix: ${clean(inc.hint)}`,
          inc.hint_zh ? `  原因: ${clean(inc.hint_zh)}` : '',
          inc.regressions ? `  regressions ${inc.regressions}` : '',
          inc.escalated_at ? `  escalated from ${inc.base_severity} at ${out.escalated_at}: ${clean(inc.page_reason)}` : '',
          inc.acknowledged_at ? `  acknowledged by ${clean(inc.acknowledged_by)} at ${out.acknowledged_at}` : '',
          inc.resolved_at ? `  resolved (${clean(inc.resolved_by)}) at ${out.resolved_at}` : '',
          actions.length ? '  actions:' : '',
          ...actions.map((a) => `    ${iso(a.at)} ${a.action} by ${clean(a.actor)} (${a.via})${a.comment ? `: ${clean(a.comment)}` : ''}`),
          `  paged ${out.pages}×${out.last_paged_at ? `, last ${out.last_page_kind} at ${out.last_paged_at}` : ''}`,
          samples.length ? '  samples:' : '',
          ...samples.map((s) => `    ${iso(s.ts)} ${clean(s.source)}:${s.line}  ${clean(s.raw).slice(0, 300)}`),
          messages.length ? '  messages:' : '',
          ...messages.map((m) => `    outbox #${m.id} ${m.kind} → ${m.target}: ${m.state}${m.last_error ? ` (${clean(m.last_error)})` : ''}`),
        ].filter(Boolean);
        process.stdout.write(lines.join('\n') + '\n');
      }),
    );

  cmd
    .command('ack')
    .description('Acknowledge: stop reminders and updates (escalation, resolution and regression still page).')
    .argument('<id>', 'incident number')
    .option('-c, --config <file>', 'config file')
    .option('--by <name>', 'who acknowledges (default: your user name)')
    .action((id: string, opts: { config?: string; by?: string }) =>
      withDb(opts.config, (db) => {
        const inc = new Lifecycle(db).acknowledge(parseId(id), opts.by ?? whoami(), Date.now());
        process.stdout.write(`#${inc.id} acknowledged by ${inc.acknowledged_by}\n`);
      }),
    );

  cmd
    .command('resolve')
    .description('Resolve now; a resolved notice goes out if the rule wants one. A new event reopens it as a regression.')
    .argument('<id>', 'incident number')
    .option('-c, --config <file>', 'config file')
    .option('--by <name>', 'who resolves (default: your user name)')
    .action((id: string, opts: { config?: string; by?: string }) =>
      withDb(opts.config, (db) => {
        const inc = new Lifecycle(db).resolve(parseId(id), opts.by ?? whoami(), Date.now());
        process.stdout.write(`#${inc.id} resolved\n`);
      }),
    );
}

