import type { Command } from 'commander';
import { CliError } from '../context.js';
import { OutboxStore, type OutboxRow, type OutboxState } from '../../notify/outbox/store.js';
import { parseId, withDb } from './incident.js';

function json(r: OutboxRow) {
  const iso = (ms: number | null) => (ms ? new Date(ms).toISOString() : null);
  return {
    id: r.id, channel: r.channel, target: r.target, incident_id: r.incident_id, kind: r.kind, state: r.state,
    attempts: r.attempts, last_status: r.last_status, last_error: r.last_error,
    created_at: iso(r.created_at), next_attempt_at: r.state === 'pending' ? iso(r.next_attempt_at) : null, sent_at: iso(r.sent_at),
  };
}

export function registerOutbox(program: Command): void {
  program
    .command('outbox')
    .description('Messages queued for every channel (Slack, console…): pending, sent and dead letters. --retry puts a message back in the queue.')
    .option('-c, --config <file>', 'config file')
    .option('--dead', 'only dead letters (permanent errors, or too old)')
    .option('--pending', 'only messages not yet delivered')
    .option('--retry <id>', 'queue a dead (or pending) message again, now')
    .option('--limit <n>', 'how many, newest first', '50')
    .option('--json', 'print NDJSON')
    .action((opts: { config?: string; dead?: boolean; pending?: boolean; retry?: string; limit: string; json?: boolean }) =>
      withDb(opts.config, (db) => {
        const store = new OutboxStore(db);
        if (opts.retry) {
          const id = parseId(opts.retry, '--retry');
          if (!store.retry(id, Date.now())) throw new CliError(`no unsent outbox message #${id}`);
          process.stdout.write(`outbox #${id} queued again; the running daemon sends it within seconds\n`);
          return;
        }
        const state: OutboxState | undefined = opts.dead ? 'dead' : opts.pending ? 'pending' : undefined;
        const rows = store.list({ state, limit: Math.max(1, Number(opts.limit) || 50) });
        if (opts.json) {
          for (const r of rows) process.stdout.write(JSON.stringify(json(r)) + '\n');
          return;
        }
        const c = store.counts();
        process.stdout.write(`pending ${c.pending}  sent ${c.sent}  dead ${c.dead}\n`);
        for (const r of rows) {
          const j = json(r);
          process.stdout.write(
            `#${r.id}  ${r.state.padEnd(7)} ${r.channel}→${r.target}  incident #${r.incident_id ?? '-'} ${r.kind ?? ''}  attempts ${r.attempts}` +
              `${r.last_status ? `  HTTP ${r.last_status}` : ''}${r.last_error ? `  ${r.last_error.replace(/[\u0000-\u001f]/g, ' ')}` : ''}` +
              `  created ${j.created_at}${j.sent_at ? `  sent ${j.sent_at}` : ''}${j.next_attempt_at ? `  next ${j.next_attempt_at}` : ''}\n`,
          );
        }
      }),
    );
}
