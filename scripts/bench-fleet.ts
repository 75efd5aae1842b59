// npm run bench:fleet — paging latency of layout (a) with Alertmanager, for real: a central apiwatch
// (HTTP source, notify.alertmanager) and a real Alertmanager (Debian prometheus-alertmanager) on
// docs/fleet/alertmanager.yml, whose webhook receiver (127.0.0.1:5001) is this script. Each round
// POSTs one failing line as a shipper would and times: the POST's 200, the alert in Alertmanager's
// API, the notification at the receiver. Installs nothing: without Alertmanager it says so.
// Env: ROUNDS (default 5), MULTILINE_TIMEOUT (the HTTP source's, default its own 5s), LINE=text|json
// (a text record may take continuation lines from the shipper's next batch, so it waits for
// multiline_timeout; a JSON record is whole and goes with its batch).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const AM = process.env.ALERTMANAGER_BIN ?? 'prometheus-alertmanager';
const ROUNDS = Number(process.env.ROUNDS ?? 5);
/** docs/fleet/alertmanager.yml's receiver. */
const RECEIVER_PORT = 5001;
const POLL_MS = 5;

if (spawnSync(AM, ['--version']).error) {
  console.log(`${AM}: not installed (Debian package prometheus-alertmanager); nothing measured`);
  process.exit(0);
}
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const port = () =>
  new Promise<number>((ok) => {
    const s = netServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => ok(p));
    });
  });

const dir = mkdtempSync(join(tmpdir(), 'apiwatch-bench-fleet-'));
const [amPort, ingestPort] = [await port(), await port()];
const notified: number[] = [];
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    notified.push(performance.now());
    res.writeHead(200).end();
  });
}).listen(RECEIVER_PORT, '127.0.0.1');
const config = join(dir, 'apiwatch.yaml');
writeFileSync(
  config,
  `state_dir: ${dir}/state
sources:
  - http: { listen: "127.0.0.1:${ingestPort}"${process.env.MULTILINE_TIMEOUT ? `, multiline_timeout: ${process.env.MULTILINE_TIMEOUT}` : ''} }
notify:
  console: { enabled: false }
  slack: { group_wait: 0s }
  alertmanager: { urls: ["http://127.0.0.1:${amPort}"] }
`,
);
const am = spawn(AM, [`--config.file=${join(root, 'docs/fleet/alertmanager.yml')}`, `--storage.path=${dir}/am`, `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address='], { stdio: 'ignore' });
const aw = spawn(process.execPath, ['--max-semi-space-size=2', join(root, 'dist/cli/main.js'), 'run', '--config', config], { stdio: 'ignore', env: { ...process.env, APIWATCH_LOG_LEVEL: 'warn' } });
const stop = () => {
  am.kill();
  aw.kill();
  receiver.close();
};
try {
  for (let i = 0; ; i++) {
    const ok = await fetch(`http://127.0.0.1:${amPort}/api/v2/status`).then((r) => r.ok, () => false);
    const up = await fetch(`http://127.0.0.1:${ingestPort}/ingest`).then(() => true, () => false);
    if (ok && up) break;
    if (i > 200) throw new Error('Alertmanager or apiwatch did not start');
    await sleep(100);
  }
  const rows: string[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const app = `app${i}`;
    const body = '{"error":"reach_limit","exception":"EasemobException","timestamp":1,"duration":0,"error_description":"This request has reached api limit"}';
    const url = `https://a1.easemob.com/acme/${app}/messages/users`;
    const line =
      process.env.LINE === 'json'
        ? JSON.stringify({ level: 50, time: Date.now(), msg: 'easemob call failed', req: { method: 'POST', url }, res: { statusCode: 429, body: JSON.parse(body) } })
        : `${new Date().toISOString()} ERROR easemob: POST ${url} -> 429 Too Many Requests ${body}`;
    const before = notified.length;
    const t0 = performance.now();
    const r = await fetch(`http://127.0.0.1:${ingestPort}/ingest?host=web-1&file=/var/log/app.log`, { method: 'POST', body: line, headers: { 'content-type': 'text/plain' } });
    const t200 = performance.now() - t0;
    if (!r.ok) throw new Error(`POST answered ${r.status}`);
    let tAm = NaN;
    while (performance.now() - t0 < 60_000) {
      const alerts = (await (await fetch(`http://127.0.0.1:${amPort}/api/v2/alerts`)).json()) as { labels: Record<string, string> }[];
      if (alerts.some((a) => a.labels.appkey === `acme#${app}`)) {
        tAm = performance.now() - t0;
        break;
      }
      await sleep(POLL_MS);
    }
    while (notified.length === before && performance.now() - t0 < 60_000) await sleep(POLL_MS);
    const tHook = notified.length > before ? notified[before]! - t0 : NaN;
    rows.push(`| ${i + 1} | ${t200.toFixed(1)} ms | ${tAm.toFixed(0)} ms | ${(tHook / 1000).toFixed(2)} s |`);
  }
  console.log('| round | POST → 200 | POST → alert in Alertmanager | POST → webhook notification |\n|---|---|---|---|');
  console.log(rows.join('\n'));
} finally {
  stop();
  rmSync(dir, { recursive: true, force: true });
}
