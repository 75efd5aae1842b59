import { createReadStream } from 'node:fs';
import { access, constants, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { createParser } from '../../parse/index.js';
import type { ApiErrorEvent, Explanation } from '../../parse/event.js';
import { redact } from '../../parse/redact.js';
import { readLines } from '../../ingest/lines.js';
import { CliError, EXIT, getConfig, timezoneOption } from '../context.js';
import { loadClassifierFor } from '../rules.js';
import type { Classification } from '../../classify/types.js';

/** The NDJSON contract of `apiwatch classify --json`: these keys are stable. */
export function eventJson(ev: ApiErrorEvent, cls: Classification) {
  return {
    line: ev.line,
    ref: cls.ref,
    rule: cls.rule,
    category: cls.category,
    severity: cls.severity,
    status: ev.status,
    error: ev.error,
    description: ev.errorDescription,
    method: ev.method,
    endpoint: ev.endpoint,
    appkey: ev.appkey,
    ts: new Date(ev.ts).toISOString(),
    hint: cls.hint,
    source: ev.source,
    host: ev.host,
    url: ev.url,
    exception: ev.exception,
    no_response: ev.noResponse ?? null,
    parser: ev.parser,
    title: cls.title,
  };
}

/** Table cells stay on one line, and log text never drives the terminal (control characters). */
function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}

/** Longest log text an --explain line quotes. */
const EXPLAIN_TEXT = 160;

/**
 * One --explain line: `LINE  event REF  call: …; failure: …` or `LINE  no event  missing: …`,
 * then the record's first line (redacted, control characters removed, cut).
 */
function printVerdict(x: Explanation, ref: string | null, json: boolean): void {
  const text = oneLine(redact(x.text)).slice(0, EXPLAIN_TEXT);
  if (json) {
    process.stdout.write(JSON.stringify({ line: x.line, event: x.event, ref, parser: x.parser, call: x.call ?? null, failure: x.failure ?? null, missing: x.missing ?? null, text }) + '\n');
    return;
  }
  const why = x.event ? `event ${ref ?? '-'}: ${oneLine(`${x.call}; ${x.failure}`)}` : `no event: ${oneLine(x.missing ?? '')}`;
  process.stdout.write(`${pad(String(x.line), 7)} ${why}\n        | ${text}\n`);
}

function pad(s: string, n: number): string {
  return s.length >= n ? s.slice(0, n) : s + ' '.repeat(n - s.length);
}

export function registerClassify(program: Command): void {
  program
    .command('classify')
    .description('Read log lines (files or - for stdin) and print the API error events found, like fail2ban-regex. Stores nothing.')
    .argument('[files...]', 'log files; "-" or nothing reads standard input')
    .option('--json', 'print NDJSON, one object per event')
    .option('-c, --config <file>', 'config file (for api_hosts, rules.files, timezone)')
    .option('--timezone <iana>', 'timezone for timestamps without a zone')
    .option('--explain', 'for every record that names a failure, a status or an Easemob host: the evidence used, or the evidence missing (like fail2ban-regex --print-all-missed)')
    .action(async (files: string[], opts: { json?: boolean; config?: string; timezone?: string; explain?: boolean }) => {
      timezoneOption(opts.timezone);
      const cfg = getConfig(opts.config);
      const classifier = await loadClassifierFor(cfg);
      const inputs = files.length ? files : ['-'];
      for (const f of inputs) {
        if (f === '-') continue;
        try {
          await access(f, constants.R_OK);
          if ((await stat(f)).isDirectory()) throw new Error('is a directory');
        } catch (err) {
          throw new CliError(`cannot read ${f}: ${(err as Error).message}`, EXIT.USAGE);
        }
      }
      let total = 0;
      let lines = 0;
      const byRef = new Map<string, number>();
      if (!opts.json && !opts.explain) {
        process.stdout.write(`${pad('LINE', 7)} ${pad('REF', 5)} ${pad('SEVERITY', 8)} ${pad('CATEGORY', 10)} ${pad('STATUS', 6)} ${pad('ENDPOINT', 36)} ERROR\n`);
      }
      for (const f of inputs) {
        const source = f === '-' ? '-' : f;
        // Verdicts arrive in record order, an event's just before the event itself.
        const verdicts: Explanation[] = [];
        const parser = createParser({
          source,
          apiHosts: cfg.api_hosts,
          timezone: opts.timezone ?? cfg.sources[0]?.timezone,
          explain: opts.explain ? (x) => verdicts.push(x) : undefined,
        });
        const stream = f === '-' ? process.stdin : createReadStream(f);
        const out = (events: ApiErrorEvent[]) => {
          if (opts.explain) {
            let i = 0;
            for (const x of verdicts) printVerdict(x, x.event ? classifier.classify(events[i++]).ref : null, !!opts.json);
            verdicts.length = 0;
            return;
          }
          for (const ev of events) {
            const cls = classifier.classify(ev);
            total++;
            byRef.set(cls.ref ?? '-', (byRef.get(cls.ref ?? '-') ?? 0) + 1);
            if (opts.json) process.stdout.write(JSON.stringify(eventJson(ev, cls)) + '\n');
            else {
              const where = oneLine(`${ev.method ?? ''} ${ev.endpoint ?? ev.url ?? ''}`);
              process.stdout.write(
                `${pad(String(ev.line), 7)} ${pad(cls.ref ?? '-', 5)} ${pad(cls.severity, 8)} ${pad(cls.category, 10)} ${pad(String(ev.status ?? '-'), 6)} ${pad(where, 36)} ${ev.error ?? ev.noResponse?.kind ?? ''}${ev.errorDescription ? `: ${oneLine(ev.errorDescription).slice(0, 80)}` : ''}\n`,
              );
            }
          }
        };
        for await (const batch of readLines(stream)) {
          lines += batch.length;
          for (const l of batch) out(parser.push(l.text, l.meta));
        }
        out(parser.flush());
      }
      if (!opts.json && !opts.explain) {
        const refs = [...byRef].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r}×${n}`).join(' ');
        process.stdout.write(`\n${lines} lines, ${total} events${refs ? `: ${refs}` : ''}\n`);
      }
    });
}
