import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { StopList, startDaemon } from '../../src/daemon/index.js';
import type { DeliveryResult, Notification, Notifier } from '../../src/notify/notifier.js';
import { silentLogger } from '../../src/util/log.js';
import { tempDir } from '../helpers/tmp.js';
import { appendLines, failLine, until, writeConfig } from './harness.js';

test('the stop list runs last-in-first-out and goes on past a step that fails', async () => {
  const order: string[] = [];
  const errors: unknown[] = [];
  const log = pino({ level: 'error' }, { write: (s: string) => void errors.push(JSON.parse(s)) });
  const stops = new StopList();
  stops.add('lock', () => order.push('lock'));
  stops.add('database', async () => {
    await new Promise((r) => setTimeout(r, 10));
    order.push('database');
  });
  stops.add('broken', () => {
    throw new Error('boom');
  });
  stops.add('reader', () => order.push('reader'));
  await stops.run(log);
  assert.deepEqual(order, ['reader', 'database', 'lock']);
  assert.equal(errors.length, 1);
  assert.match(JSON.stringify(errors[0]), /"step":"broken".*boom/);
  await stops.run(log);
  assert.equal(order.length, 3, 'each step runs once');
});

test('a start that fails part-way (HTTP port taken) undoes what it built: the lock is released, the next start works', async () => {
  const dir = tempDir('apiwatch-app-');
  mkdirSync(join(dir, 'logs'));
  appendLines(join(dir, 'logs', 'app.log'), [failLine()]);
  const squatter = createServer();
  await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', () => r()));
  const port = (squatter.address() as { port: number }).port;
  try {
    const cfg = loadConfig(writeConfig(dir, { extra: `http:\n  enabled: true\n  listen: 127.0.0.1:${port}\n` }));
    await assert.rejects(startDaemon(cfg, silentLogger), /EADDRINUSE/);
    // Same state dir, listener off: the lock and the database were let go by the failed start.
    const ok = loadConfig(writeConfig(dir));
    const d = await startDaemon(ok, silentLogger);
    await until('the line ingested', () => d.pipeline.stats.events === 1);
    await d.stop();
  } finally {
    squatter.close();
  }
});

test('reload swaps the channels without starting a delivery in flight twice; a bad reload keeps the running ones', async () => {
  const dir = tempDir('apiwatch-app-');
  mkdirSync(join(dir, 'logs'));
  const logFile = join(dir, 'logs', 'app.log');
  appendLines(logFile, [failLine(500, 'internal_error')]);
  const file = writeConfig(dir);
  const cfg = loadConfig(file);
  const deliveries: { gen: number; id: number }[] = [];
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let generation = 0;
  // Each build (start, every reload) makes a new generation of the same channel.
  const build = (): Notifier[] => {
    const gen = ++generation;
    return [
      {
        name: 'probe',
        minSeverity: 'info',
        rate: {},
        render: (n: Notification) => [{ target: 'main', payload: { id: n.incident.id } }],
        deliver: async (_t: string, payload: unknown): Promise<DeliveryResult> => {
          const id = (payload as { id: number }).id;
          deliveries.push({ gen, id });
          if (id === 1) await held; // the first page is in flight across the reload
          return { ok: true, status: 200 };
        },
      },
    ];
  };
  const d = await startDaemon(cfg, silentLogger, { buildNotifiers: build });
  try {
    await until('the first delivery started', () => deliveries.length === 1);
    assert.equal(await d.reload(), true);
    assert.equal(generation, 2);
    appendLines(logFile, [failLine(401, 'unauthorized', 'users')]);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(deliveries, [{ gen: 1, id: 1 }], 'the new generation waits behind the head in flight, and does not resend it');
    release();
    await until('the second page', () => deliveries.length === 2);
    assert.deepEqual(deliveries[1], { gen: 2, id: 2 });

    // A broken file: reload fails, generation 2 keeps delivering.
    writeFileSync(file, 'state_dir: ./data\nsources: nope\n');
    assert.equal(await d.reload(), false);
    assert.equal(generation, 2, 'no channel built from a config that does not load');
    appendLines(logFile, [failLine(403, 'forbidden_op', 'chatgroups')]);
    await until('the third page', () => deliveries.length === 3);
    assert.deepEqual(deliveries[2], { gen: 2, id: 3 });
    const rows = d.db.prepare("SELECT state, count(*) AS n FROM outbox GROUP BY state").all();
    assert.deepEqual(rows, [{ state: 'sent', n: 3 }]);
  } finally {
    release();
    await d.stop();
  }
});
