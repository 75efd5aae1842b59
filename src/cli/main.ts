#!/usr/bin/env node
import { Command } from 'commander';
import { reportError } from './context.js';
import { registerRun } from './commands/run.js';
import { registerClassify } from './commands/classify.js';
import { registerReplay } from './commands/replay.js';
import { registerIncidents } from './commands/incidents.js';
import { registerConfig } from './commands/config.js';
import { registerRules } from './commands/rules.js';
import { registerDigest } from './commands/digest.js';
import { registerNotifyEmail } from './commands/notify-email.js';
import { registerIncident } from './commands/incident.js';
import { registerSilence } from './commands/silence.js';
import { registerOutbox } from './commands/outbox.js';
import { registerNotify } from './commands/notify.js';
import { registerDoctor } from './commands/doctor.js';

const program = new Command('apiwatch')
  .description('Watches app-server logs for failed Easemob / Agora Chat REST calls and pages operators with the fix.')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

for (const register of [registerRun, registerClassify, registerReplay, registerIncidents, registerConfig, registerRules,
  registerIncident, registerSilence, registerOutbox, registerNotify, registerDigest, registerDoctor]) {
  register(program);
}
registerNotifyEmail(program.commands.find((c) => c.name() === 'notify') ?? program.command('notify').description('Notification channels.'));

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
