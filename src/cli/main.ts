#!/usr/bin/env -S node --max-semi-space-size=2
// --max-semi-space-size=2 (MB): V8's young generation grows to 3 x 16 MB under a bulk read's
// allocation rate; at 2 MB it is ~14 MB less RSS for the same CPU time (README, Performance).
// The systemd unit and `npm start` pass the same flag; it cannot be set once the process runs.
import { Command } from 'commander';
import { reportError } from './context.js';
import { exitQuietlyOnClosedPipe, packageVersion } from './process.js';

exitQuietlyOnClosedPipe();

const program = new Command('apiwatch')
  .description('Watches app-server logs for failed Easemob / Agora Chat REST calls and pages operators with the fix.')
  .version(packageVersion())
  // Global as well as per command: `apiwatch --config x.yaml incidents` and `apiwatch incidents -c x.yaml`.
  // commander hands a global option to the program, so the hook copies it to the command that runs.
  .option('-c, --config <file>', 'config file (every command)')
  .hook('preAction', (root, action) => {
    const cfg = root.opts<{ config?: string }>().config;
    if (cfg !== undefined && action !== root) action.setOptionValue('config', cfg);
  })
  .showHelpAfterError()
  .exitOverride();

// `replay` is the bulk path, where start-up counts: it loads only its own command, not the
// daemon's notifiers, digests and the rest (~0.1 s). Everything else registers every command.
if (process.argv[2] === 'replay') {
  (await import('./commands/replay.js')).registerReplay(program);
} else {
  const [run, classify, replay, incidents, config, rules, incident, silence, outbox, notify, digest, doctor, notifyEmail] = await Promise.all([
    import('./commands/run.js'), import('./commands/classify.js'), import('./commands/replay.js'),
    import('./commands/incidents.js'), import('./commands/config.js'), import('./commands/rules.js'),
    import('./commands/incident.js'), import('./commands/silence.js'), import('./commands/outbox.js'),
    import('./commands/notify.js'), import('./commands/digest.js'), import('./commands/doctor.js'),
    import('./commands/notify-email.js'),
  ]);
  for (const register of [run.registerRun, classify.registerClassify, replay.registerReplay, incidents.registerIncidents,
    config.registerConfig, rules.registerRules, incident.registerIncident, silence.registerSilence, outbox.registerOutbox,
    notify.registerNotify, digest.registerDigest, doctor.registerDoctor]) {
    register(program);
  }
  notifyEmail.registerNotifyEmail(program.commands.find((c) => c.name() === 'notify') ?? program.command('notify').description('Notification channels.'));
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const code = (err as { code?: string; exitCode?: number }).code;
  if (typeof code === 'string' && code.startsWith('commander.')) {
    // commander has already printed help / the usage error
    process.exitCode = code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : 2;
  } else {
    process.exitCode = reportError(err);
  }
}
