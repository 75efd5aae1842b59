import type { Command } from 'commander';
import { CliError, EXIT } from '../context.js';
import { parseDuration } from '../../config/duration.js';
import {
  formatMatcher, MatcherError, parseMatcher, previewSilence, SilenceStore, storedVocabulary, validateMatcher, vocabularyOf,
  type Matcher, type Silence,
} from '../../incidents/silences.js';
import type { Incident } from '../../incidents/types.js';
import { loadClassifierFor } from '../rules.js';
import { parseId, whoami, withDb } from './incident.js';

const collect = (v: string, prev: string[]) => [...prev, v];

function time(s: string, what: string): number {
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new CliError(`${what}: expected an ISO time like 2026-11-28T22:00:00+08:00, got "${s}"`, EXIT.USAGE);
  return t;
}

function json(s: Silence) {
  return {
    id: s.id,
    matchers: s.matchers,
    starts_at: new Date(s.starts_at).toISOString(),
    ends_at: new Date(s.ends_at).toISOString(),
    comment: s.comment,
    created_by: s.created_by,
    expired_at: s.expired_at ? new Date(s.expired_at).toISOString() : null,
  };
}

/** Lists at most this many caught incidents; the count is always given. */
const PREVIEW_LINES = 20;

function previewText(caught: Incident[]): string {
  if (!caught.length) return 'catches no open incident now\n';
  const lines = caught.slice(0, PREVIEW_LINES).map((i) => `  #${i.id}  ${i.state}  ${i.severity}  ${i.ref ?? '-'}  ${i.endpoint ?? '-'}  ${i.title}\n`);
  const more = caught.length > PREVIEW_LINES ? `  … and ${caught.length - PREVIEW_LINES} more\n` : '';
  return `catches ${caught.length} open incident${caught.length === 1 ? '' : 's'} now:\n${lines.join('')}${more}`;
}

export function registerSilence(program: Command): void {
  const cmd = program.command('silence').description('Hold pages for matching incidents for a while (they are still counted and shown).');

  cmd
    .command('add')
    .description('Add a silence: every --match must hold. NAME=VALUE, NAME!=VALUE, NAME=~REGEX, NAME!~REGEX (anchored, as Alertmanager) on ref, rule, category, severity, endpoint, method, appkey, host, fingerprint, id; VALUE* matches a prefix.')
    .option('-c, --config <file>', 'config file')
    .option('-m, --match <name=value>', 'matcher (repeatable)', collect, [])
    .option('--for <duration>', 'how long, e.g. 2h, 30m', '2h')
    .option('--start <time>', 'ISO start time (default now)')
    .option('--until <time>', 'ISO end time (instead of --for)')
    .option('--comment <text>', 'why')
    .option('--by <name>', 'who (default: your user name)')
    .option('--preview', 'show the open incidents it would catch, and save nothing')
    .action((opts: { config?: string; match: string[]; for: string; start?: string; until?: string; comment?: string; by?: string; preview?: boolean }) => {
      if (!opts.match.length) throw new CliError('give at least one --match NAME=VALUE', EXIT.USAGE);
      let matchers: Matcher[];
      try {
        matchers = opts.match.map(parseMatcher);
      } catch (err) {
        throw new CliError((err as Error).message, EXIT.USAGE);
      }
      const now = Date.now();
      const startsAt = opts.start ? time(opts.start, '--start') : now;
      let endsAt: number;
      if (opts.until) endsAt = time(opts.until, '--until');
      else {
        const d = parseDuration(opts.for);
        if (d === null || d <= 0) throw new CliError(`--for: expected a duration like 30m or 2h, got "${opts.for}"`, EXIT.USAGE);
        endsAt = startsAt + d;
      }
      if (endsAt <= startsAt) throw new CliError('the silence must end after it starts', EXIT.USAGE);
      withDb(opts.config, (db, cfg) => {
        const vocab = vocabularyOf(loadClassifierFor(cfg).rules, storedVocabulary(db));
        try {
          for (const m of matchers) validateMatcher(m, vocab);
        } catch (err) {
          if (err instanceof MatcherError) throw new CliError(err.message, EXIT.USAGE);
          throw err;
        }
        const caught = previewSilence(db, matchers);
        if (opts.preview) {
          process.stdout.write(`preview (not saved): ${matchers.map(formatMatcher).join(' ')}\n${previewText(caught)}`);
          return;
        }
        const s = new SilenceStore(db).add({ matchers, startsAt, endsAt, comment: opts.comment, createdBy: opts.by ?? whoami() }, now);
        process.stdout.write(`silence #${s.id} until ${new Date(s.ends_at).toISOString()}: ${matchers.map(formatMatcher).join(' ')}\n${previewText(caught)}`);
      });
    });

  cmd
    .command('list')
    .description('Silences in force or scheduled (--all: also ended ones).')
    .option('-c, --config <file>', 'config file')
    .option('--all', 'include ended and expired silences')
    .option('--json', 'print NDJSON')
    .action((opts: { config?: string; all?: boolean; json?: boolean }) =>
      withDb(opts.config, (db) => {
        const list = new SilenceStore(db).list({ all: opts.all });
        if (opts.json) {
          for (const s of list) process.stdout.write(JSON.stringify(json(s)) + '\n');
          return;
        }
        if (!list.length) process.stdout.write('no silences\n');
        for (const s of list) {
          const j = json(s);
          process.stdout.write(
            `#${s.id}  ${j.starts_at} → ${j.expired_at ? `expired ${j.expired_at}` : j.ends_at}  ${s.matchers.map(formatMatcher).join(' ')}` +
              `${s.comment ? `  "${s.comment}"` : ''}${s.created_by ? `  by ${s.created_by}` : ''}\n`,
          );
        }
      }),
    );

  cmd
    .command('expire')
    .description('End a silence now.')
    .argument('<id>', 'silence number')
    .option('-c, --config <file>', 'config file')
    .action((id: string, opts: { config?: string }) =>
      withDb(opts.config, (db) => {
        const n = parseId(id);
        if (!new SilenceStore(db).expire(n, Date.now())) throw new CliError(`no active silence #${n}`);
        process.stdout.write(`silence #${n} expired\n`);
      }),
    );
}
