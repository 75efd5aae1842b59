import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

// systemd-analyze's own checks of this unit are in test/system/systemd-analyze.test.ts (npm run test:system).
const UNIT = new URL('../../systemd/apiwatch.service', import.meta.url).pathname;

test('the unit keeps the settings the daemon relies on', () => {
  const unit = readFileSync(UNIT, 'utf8');
  for (const line of [
    'Type=notify',
    'NotifyAccess=all', // systemd-notify runs as a child of the main process
    'ExecReload=/bin/kill -HUP $MAINPID',
    'StateDirectory=apiwatch',
    'ConfigurationDirectory=apiwatch',
    'CapabilityBoundingSet=',
    'SystemCallFilter=@system-service',
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
  ]) {
    assert.ok(unit.split('\n').includes(line), `missing ${line}`);
  }
  assert.match(unit, /^WatchdogSec=\d+/m);
  assert.match(unit, /^LoadCredential=slack-webhook:/m);
  // V8's JIT needs W+X pages: this would make the daemon abort at start.
  assert.doesNotMatch(unit, /^MemoryDenyWriteExecute=yes/m);
});
