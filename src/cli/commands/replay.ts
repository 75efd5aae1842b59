import { createReadStream } from 'node:fs';
import { access, constants, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError, EXIT, getConfig } from '../context.js';
import { loadClassifierFor } from '../rules.js';
import { openDatabase } from '../../store/db.js';
import { Pipeline } from '../../daemon/pipeline.js';
import { markAnnounced } from '../../notify/announced.js';
import { readTextChunks, type ChunkStats } from '../../ingest/chunks.js';
import { candidatePattern } from '../../ingest/candidates.js';

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('Ingest whole files into the database (events and incidents) without notifying anyone.')
    .argument('<files...>', 'log files to ingest from their first line')
    .option('-c, --config <file>', 'config file')
    .option('--timezone <iana>', 'timezone for timestamps without a zone')
    .option('--json', 'print the summary as JSON')
    .action(async (files: string[], opts: { config?: string; timezone?: string; json?: boolean }) => {
      const cfg = getConfig(opts.config);
      for (const f of files) {
        try {
          await access(f, constants.R_OK);
        } catch (err) {
          throw new CliError(`cannot read ${f}: ${(err as Error).message}`, EXIT.USAGE);
        }
      }
      const classifier = await loadClassifierFor(cfg);
      const db = openDatabase(cfg.dbPath);
      const touched = new Set<number>();
      const pipeline = new Pipeline({
        db,
        classifier,
        apiHosts: cfg.api_hosts,
        onChanges: (changes) => changes.forEach((c) => touched.add(c.incident.id)),
      });
      const tty = process.stderr.isTTY;
      const started = Date.now();
      const summary = [];
      try {
        for (const f of files) {
          const size = (await stat(f)).size;
          const source = resolve(f);
          const stats: ChunkStats = { bytes: 0, skippedLong: 0 };
          const re = candidatePattern(cfg.api_hosts);
          const tz = opts.timezone ?? cfg.sources[0]?.timezone;
          let lines = 0;
          let lastDraw = 0;
          for await (const chunk of readTextChunks(createReadStream(f, { highWaterMark: 1 << 20 }), 1 << 20, stats)) {
            pipeline.ingestChunk(source, chunk, re, tz);
            lines += chunk.lines;
            if (tty && Date.now() - lastDraw > 200) {
              lastDraw = Date.now();
              const pct = size ? Math.min(100, (stats.bytes / size) * 100) : 100;
              process.stderr.write(`\r${f}: ${pct.toFixed(1)}%  ${lines} lines  ${pipeline.stats.events} events`);
            }
          }
          pipeline.process({ source, lines: [], final: true });
          if (tty) process.stderr.write('\r\x1b[K');
          summary.push({ file: f, lines: lines + stats.skippedLong, bytes: stats.bytes, skipped_long_lines: stats.skippedLong });
        }
        markAnnounced(db, touched);
      } finally {
        db.close();
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
