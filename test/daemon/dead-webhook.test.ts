import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon } from '../../src/daemon/index.js';
import { silentLogger } from '../../src/util/log.js';
import { OutboxStore } from '../../src/notify/outbox/store.js';
import { FakeSlack } from '../notify/helpers.js';
import { tempDir } from '../helpers/tmp.js';
import { appendLines, failLine, until } from './harness.js';

test('a dead Slack webhook: its messages are dead letters naming the setting, counted dead, never sent', async () => {
  const slack = await new FakeSlack().start();
  slack.gone = { status: 404, body: 'no_service' };
  const dir = tempDir('apiwatch-dead-');
  mkdirSync(join(dir, 'logs'));
  appendLines(join(dir, 'logs', 'app.log'), [failLine(500, 'internal_error'), failLine(401, 'unauthorized', 'users')]);
  const file = join(dir, 'apiwatch.yaml');
  writeFileSync(
    file,
    `state_dir: ./data\nsources:\n  - path: ./logs/*.log\n    start_at: beginning\nnotify:\n  console: { enabled: false }\n` +
      `  slack:\n    webhook_url: ${slack.url()}\n    group_wait: 0s\n    min_interval: 0s\n`,
  );
  const cfg = loadConfig(file);
  const d = await startDaemon(cfg, silentLogger, {});
  try {
    const outbox = new OutboxStore(d.db);
    await until('both messages dead', () => outbox.counts().dead === 2, 10_000);
    const text = await d.metrics.render();
    assert.match(text, /^apiwatch_notifications_total\{channel="slack",result="dead"\} 2$/m);
    assert.doesNotMatch(text, /result="sent"/);
    const row = outbox.list({ state: 'dead' })[0];
    assert.equal(row.last_status, 404);
    assert.match(row.last_error!, /no_service; check notify\.slack\.webhook_url/);
    assert.equal(slack.received.length, 0);
  } finally {
    await d.stop();
  }
});
