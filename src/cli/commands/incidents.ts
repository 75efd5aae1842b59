import type { Command } from 'commander';
import { CliError, EXIT, getConfig, openExistingDatabase } from '../context.js';
import { IncidentStore } from '../../incidents/store.js';
import { incidentJson } from '../../incidents/json.js';
import { Muter, SilenceStore } from '../../incidents/silences.js';

const STATES = ['open', 'firing', 'acknowledged', 'resolved'] as const;

export { incidentJson } from '../../incidents/json.js';

export function registerIncidents(program: Command): void {
  program
    .command('incidents')
    .description('List incidents, newest activity first.')
    .option('-c, --config <file>', 'config file')
    .option('--state <state>', `only incidents in this state (${STATES.join('|')})`)
    .option('--ref <ref>', 'only incidents of this cause (error-table ref such as E20, or the rule id of a row without one)')
    .option('--json', 'print NDJSON, one object per incident')
    .action((opts: { config?: string; state?: string; ref?: string; json?: boolean }) => {
      if (opts.state && !(STATES as readonly string[]).includes(opts.state)) {
        throw new CliError(`--state must be one of ${STATES.join(', ')}`, EXIT.USAGE);
      }
      const cfg = getConfig(opts.config);
      const db = openExistingDatabase(cfg);
      try {
        // --ref: the digest groups by cause and points here for the incidents it leaves out.
        const list = new IncidentStore(db)
          .list({ state: opts.state as (typeof STATES)[number] | undefined })
          .filter((i) => opts.ref === undefined || (i.ref ?? i.rule ?? '') === opts.ref);
        if (opts.json) {
          for (const i of list) process.stdout.write(JSON.stringify(incidentJson(i)) + '\n');
          return;
        }
        if (!list.length) {
          process.stdout.write('no incidents\n');
          return;
        }
        const muter = new Muter(new SilenceStore(db), cfg.notify.maintenance);
        const now = Date.now();
        for (const i of list) {
          // Silenced incidents are still listed; the mark says why they are not paging.
          const muted = i.state === 'resolved' ? null : muter.mutedBy(i, now);
          process.stdout.write(
            `#${i.id}  ${i.state.padEnd(12)} ${i.severity.padEnd(8)} ${(i.ref ?? '-').padEnd(5)} ${String(i.count).padStart(7)}×  ` +
              `${i.method ?? ''} ${i.endpoint ?? '?'}  ${i.appkey ?? ''}  last ${new Date(i.last_seen).toISOString()}${muted ? `  [muted by ${muted}]` : ''}\n    ${i.title}\n`,
          );
        }
      } finally {
        db.close();
      }
    });
}
