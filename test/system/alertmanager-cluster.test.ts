// Layout (b) of the README's "Running for many app servers", for real: two apiwatch daemons on
// docs/fleet/edge-apiwatch.yaml (as it is) see the same Easemob failures in their own app logs and
// push to a real two-node Alertmanager cluster (Debian prometheus-alertmanager) on
// docs/fleet/alertmanager.yml (as it is), whose webhook receiver is this test. The receiver must get
// one firing notification for the group and one resolved after the incident resolves, and stopping
// the Alertmanager peer that sent the firing one, mid-way, must lose nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { apiwatchDaemon, freePort, getText, sleep, start, waitFor, webhookReceiver, type Proc } from './fleet/procs.js';

const AM_BIN = process.env.ALERTMANAGER_BIN ?? 'prometheus-alertmanager';
const EDGE = join(ROOT, 'docs/fleet/edge-apiwatch.yaml');
const AM_CONFIG = join(ROOT, 'docs/fleet/alertmanager.yml');
/** The receiver docs/fleet/alertmanager.yml names. */
const RECEIVER_PORT = 5001;
/** Long enough that the second Alertmanager peer's dedup wait (--cluster.peer-timeout, 15 s) passes while the alert fires. */
const RESOLVE_AFTER_S = 60;

function failure(now: Date, i: number): string {
  // A Node app's text log: the call, its status and the Easemob error body in one record.
  return `${now.toISOString()} ERROR easemob: POST https://a1.easemob.com/acme/chat/messages/users -> 429 Too Many Requests {"error":"reach_limit","exception":"EasemobException","timestamp":${now.getTime()},"duration":${i},"error_description":"This request has reached api limit"}\n`;
}

test('two apiwatch instances → a two-node Alertmanager cluster: one firing and one resolved notification, a peer stopped mid-way loses nothing', { timeout: 300_000 }, async () => {
  const dir = tempDir();
  const receiver = await webhookReceiver(RECEIVER_PORT);
  const [web1, mesh1, web2, mesh2] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const am = (n: number, web: number, mesh: number, peer: number): Proc => {
    mkdirSync(join(dir, `am${n}`));
    return start(`alertmanager-${n}`, AM_BIN, [
      `--config.file=${AM_CONFIG}`, `--storage.path=${join(dir, `am${n}`)}`,
      `--web.listen-address=127.0.0.1:${web}`, `--web.external-url=http://127.0.0.1:${web}`,
      `--cluster.listen-address=127.0.0.1:${mesh}`, `--cluster.peer=127.0.0.1:${peer}`,
    ]);
  };
  const ams = [am(1, web1, mesh1, mesh2), am(2, web2, mesh2, mesh1)];
  const status = async (port: number) => {
    const t = await getText(`http://127.0.0.1:${port}/api/v2/status`);
    return t ? (JSON.parse(t) as { cluster: { status: string; peers: unknown[] } }) : undefined;
  };
  await waitFor('the Alertmanager cluster to form (2 peers, ready)', async () => {
    const [a, b] = [await status(web1), await status(web2)];
    return a?.cluster.status === 'ready' && b?.cluster.status === 'ready' && a.cluster.peers.length === 2 && b.cluster.peers.length === 2;
  }, 60_000, ams);

  const edges: { proc: Proc; log: string; metrics: number }[] = [];
  for (const n of [1, 2]) {
    const logs = join(dir, `app${n}`);
    mkdirSync(logs);
    const log = join(logs, 'app.log');
    writeFileSync(log, '');
    const metrics = await freePort();
    const proc = apiwatchDaemon(`apiwatch-${n}`, EDGE, {
      APIWATCH_STATE_DIR: join(dir, `state${n}`),
      APIWATCH_LOGS: join(logs, '*.log'),
      APIWATCH_RESOLVE_AFTER: `${RESOLVE_AFTER_S}s`,
      APIWATCH_METRICS_LISTEN: `127.0.0.1:${metrics}`,
      ALERTMANAGER_1: `http://127.0.0.1:${web1}`,
      ALERTMANAGER_2: `http://127.0.0.1:${web2}`,
    });
    edges.push({ proc, log, metrics });
  }
  const all = () => [...ams, ...edges.map((e) => e.proc)];
  for (const e of edges) {
    // Tailing: the file is known (its lag gauge exists) before the failures are written.
    await waitFor(`${e.proc.name} to tail ${e.log}`, async () => (await getText(`http://127.0.0.1:${e.metrics}/metrics`))?.includes(e.log), 30_000, all());
  }

  const t0 = Date.now();
  for (let i = 0; i < 3; i++) for (const e of edges) appendFileSync(e.log, failure(new Date(), i));
  const inAm = await waitFor('the alert in both Alertmanager peers', async () => {
    const [a, b] = [await getText(`http://127.0.0.1:${web1}/api/v2/alerts`), await getText(`http://127.0.0.1:${web2}/api/v2/alerts`)];
    return a?.includes('EasemobApiError') && b?.includes('EasemobApiError') ? Date.now() : undefined;
  }, 30_000, all());
  const firing = await waitFor('the firing notification', () => receiver.got.find((g) => g.status === 'firing'), 60_000, all());
  const latencyS = (firing.at - t0) / 1000;
  assert.equal(firing.alerts.length, 1, 'one alert: the same failure from two instances is deduplicated');
  const alert = firing.alerts[0]!;
  assert.deepEqual(
    Object.keys(alert.labels).sort(),
    ['alertname', 'appkey', 'category', 'endpoint', 'env', 'ref', 'rule', 'severity', 'team'],
    'no per-host label',
  );
  assert.equal(alert.labels.alertname, 'EasemobApiError');
  assert.equal(alert.labels.ref, 'E37');
  assert.equal(alert.labels.appkey, 'acme#chat');
  assert.ok(Number(alert.annotations.count) >= 1, `count annotation: ${alert.annotations.count}`);
  assert.match(alert.annotations.hosts ?? '', /\S/, 'hosts annotation: the instance that pushed last');

  // Past the second peer's dedup wait: still one notification. Then stop the peer that sent it.
  await sleep(Math.max(0, t0 + 35_000 - Date.now()));
  assert.equal(receiver.got.filter((g) => g.status === 'firing').length, 1, 'the cluster sent the firing notification once');
  const sender = ams.find((p) => firing.externalURL.endsWith(`:${p === ams[0] ? web1 : web2}`))!;
  assert.ok(sender, `sent by ${firing.externalURL}`);
  await sender.stop();

  // Quiet for RESOLVE_AFTER_S: both apiwatch instances resolve and push endsAt = now; the surviving peer tells the receiver.
  const resolved = await waitFor('the resolved notification', () => receiver.got.find((g) => g.status === 'resolved'), (RESOLVE_AFTER_S + 120) * 1000, all());
  assert.equal(resolved.groupKey, firing.groupKey);
  assert.equal(resolved.alerts[0]!.labels.ref, 'E37');
  await sleep(5000);
  assert.deepEqual(receiver.got.map((g) => g.status), ['firing', 'resolved'], 'one notification each, nothing lost, nothing twice');
  // The apiwatch outboxes kept trying the stopped peer: its pushes are pending, not lost.
  for (const e of edges) {
    const m = (await getText(`http://127.0.0.1:${e.metrics}/metrics`)) ?? '';
    assert.match(m, /apiwatch_notifications_total\{[^}]*channel="alertmanager"[^}]*result="sent"[^}]*\} [1-9]/, `${e.proc.name} delivered to Alertmanager`);
  }
  process.stdout.write(
    `# latency: failure written → alert in both peers ≤ ${inAm - t0} ms (polled every 250 ms); → firing notification at the receiver ${latencyS.toFixed(1)} s (group_wait 10s of docs/fleet/alertmanager.yml)\n`,
  );
});
