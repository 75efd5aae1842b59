import { access, constants } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError, EXIT, getConfig, timezoneOption } from '../context.js';
import { loadClassifierFor } from '../rules.js';
import { openDatabase } from '../../store/db.js';
import { Pipeline } from '../../daemon/pipeline.js';
import { markAnnounced } from '../../notify/announced.js';
import { createParser } from '../../parse/index.js';
import type { PrescanSpec } from '../../ingest/prescan.js';
import { heapGuard, parseScan, startScan, type BulkScan, type BulkStats } from '../../ingest/bulk.js';
import type { ApiErrorEvent } from '../../parse/event.js';

/**
 * Events per `record` call. The incident upsert runs once per fingerprint per call, so larger
 * batches fold more events into each upsert: 2048 took a 100 MB realistic replay from 2.65 s to
 * 1.69 s against 256. The events are small (raw text capped by the parser); RSS did not move.
 */
const BATCH_EVENTS = Number(process.env.APIWATCH_BULK_BATCH) || 2048;
/**
 * Batches per SQLite transaction. Each batch still goes through `record` on its own (inside a
 * savepoint), so incidents, counts and escalations come out exactly as with one commit per batch;
 * only the commits (WAL frames written per commit, ~1 ms each) are shared.
 */
const TX_BATCHES = Number(process.env.APIWATCH_BULK_TX_BATCHES) || 16;

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('Ingest whole files into the database (events and incidents) without notifying anyone.')
    .argument('<files...>', 'log files to ingest from their first line')
    .option('-c, --config <file>', 'config file')
    .option('--timezone <iana>', 'timezone for timestamps without a zone')
    .option('--json', 'print the summary as JSON')
    .action(async (files: string[], opts: { config?: string; timezone?: string; json?: boolean }) => {
      timezoneOption(opts.timezone);
      const cfg = getConfig(opts.config);
      for (const f of files) {
        try {
          await access(f, constants.R_OK);
        } catch (err) {
          throw new CliError(`cannot read ${f}: ${(err as Error).message}`, EXIT.USAGE);
        }
      }
      const started = Date.now();
      // Lines are picked on raw bytes by the prescan, a superset of the parser's own prefilter.
      const prescan: PrescanSpec = { apiHosts: cfg.api_hosts };
      // The first file's scan workers start now and run while the rules load and the database opens.
      // The workers also analyse the records, for parsers made with these options.
      const tz = opts.timezone ?? cfg.sources[0]?.timezone;
      const analyse = { apiHosts: cfg.api_hosts, timezone: tz };
      let scan: BulkScan | null = startScan(files[0], { prescan, analyse });
      const classifier = loadClassifierFor(cfg);
      const db = openDatabase(cfg.dbPath);
      const touched = new Set<number>();
      const pipeline = new Pipeline({
        db,
        classifier,
        apiHosts: cfg.api_hosts,
        onChanges: (changes) => changes.forEach((c) => touched.add(c.incident.id)),
      });
      const tty = process.stderr.isTTY;
      const summary = [];
      const guard = process.env.APIWATCH_BULK_HEAP_SLACK_MB === '0' ? undefined : heapGuard();
      let batches = 0; // stored in the open transaction
      const commit = () => {
        if (db.inTransaction) db.exec('COMMIT');
        batches = 0;
      };
      try {
        for (let i = 0; i < files.length; i++) {
          const f = files[i];
          scan ??= startScan(f, { prescan, analyse });
          const source = resolve(f);
          const parser = createParser({ source, apiHosts: cfg.api_hosts, timezone: tz });
          const stats: BulkStats = { bytes: 0, lines: 0, skippedLong: 0 };
          let pending: ApiErrorEvent[] = [];
          let pendingLines = 0;
          let lastDraw = 0;
          const store = () => {
            if (!db.inTransaction) db.exec('BEGIN');
            pipeline.ingestEvents(pending, pendingLines);
            pending = [];
            pendingLines = 0;
            if (++batches >= TX_BATCHES) commit();
          };
          for await (const b of parseScan(f, scan, parser, stats, { heapGuard: guard })) {
            for (const ev of b.events) pending.push(ev);
            pendingLines += b.lines;
            if (pending.length >= BATCH_EVENTS) store();
            if (tty && Date.now() - lastDraw > 200) {
              lastDraw = Date.now();
              const pct = scan.size ? Math.min(100, (stats.bytes / scan.size) * 100) : 100;
              process.stderr.write(`\r${f}: ${pct.toFixed(1)}%  ${stats.lines} lines  ${pipeline.stats.events + pending.length} events`);
            }
          }
          // End of the file: whatever is still being assembled is complete.
          for (const ev of parser.flush()) pending.push(ev);
          store();
          commit();
          scan = null;
          if (tty) process.stderr.write('\r\x1b[K');
          summary.push({ file: f, lines: stats.lines, bytes: stats.bytes, skipped_long_lines: stats.skippedLong });
        }
        markAnnounced(db, touched);
      } finally {
        // After an error, keep the batches stored before it (a failed one was rolled back to its
        // savepoint), as when each batch was committed on its own.
        try {
          commit();
        } finally {
          await scan?.abort();
          db.close();
        }
      }
      const secs = (Date.now() - started) / 1000;
      const out = { files: summary, events: pipeline.stats.events, seconds: secs };
      if (opts.json) process.stdout.write(JSON.stringify(out) + '\n');
      else {
        for (const s of summary) process.stdout.write(`${s.file}: ${s.lines} lines${s.skipped_long_lines ? `, ${s.skipped_long_lines} over-long lines skipped` : ''}\n`);
        process.stdout.write(`${pipeline.stats.events} events stored in ${secs.toFixed(1)} s\n`);
      }
    });
}
