import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, defaultConfig, parseConfig } from '../../src/config/load.js';

test('operations config keys: safe defaults (HTTP off, loopback), durations parsed, bad values located', () => {
  const d = defaultConfig();
  assert.deepEqual(d.http, { enabled: false, listen: '127.0.0.1:9464', ui: false, ui_auth: 'token' });
  assert.deepEqual(d.retention, { events_days: 14, interval: 3_600_000, batch_size: 2000 });
  assert.deepEqual(d.health, { stall_after: 120_000 });
  assert.deepEqual(d.database, { busy_timeout: 5000 });
  assert.deepEqual(d.shutdown, { notify_grace: 10_000 });

  const c = parseConfig('http:\n  enabled: true\n  listen: "[::1]:9100"\nshutdown:\n  notify_grace: 3s\nretention:\n  interval: 15m\n', '/etc/apiwatch/apiwatch.yaml', {});
  assert.equal(c.http.listen, '[::1]:9100');
  assert.equal(c.shutdown.notify_grace, 3000);
  assert.equal(c.retention.interval, 900_000);
  assert.equal(c.retention.events_days, 14);

  assert.throws(
    () => parseConfig('http:\n  enabled: true\n  listen: 9464\n', '/etc/apiwatch/apiwatch.yaml', {}),
    (e: unknown) => e instanceof ConfigError && /apiwatch\.yaml:3: http\.listen: expected string/.test(e.message),
  );
  assert.throws(
    () => parseConfig('http:\n  listen: localhost\n', '/etc/apiwatch/apiwatch.yaml', {}),
    (e: unknown) => e instanceof ConfigError && /http\.listen: expected "host:port"/.test(e.message),
  );
  assert.throws(() => parseConfig('health:\n  stall_after: soon\n', 'x.yaml', {}), /health\.stall_after: expected a duration/);
});
