import type { Command } from 'commander';
import { accessSync, constants, existsSync, openSync, readSync, closeSync, statSync, statfsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { glob } from 'tinyglobby';
import { createRequire } from 'node:module';
import { configPath, getConfig } from '../context.js';
import { loadClassifierFor } from '../rules.js';
import type { LoadedConfig } from '../../config/load.js';
import { isLoopback, parseListen } from '../../daemon/http.js';
import { createChatNotifiers } from '../../notify/index.js';
import { describeFault, probeFolder, sourceFolders } from '../../ingest/faults.js';
import type { HttpSourceStatus } from '../../ingest/http/index.js';
import { slackDefaults } from '../../config/schema.js';
import { SlackRouter, webhookSetting } from '../../notify/slack/index.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  area: string;
  status: CheckStatus;
  message: string;
  fix?: string;
}

export interface DoctorOptions {
  /** Skip Slack and SMTP (no network). */
  offline?: boolean;
  timeoutMs?: number;
}

/** Group adm's gid, for "can the service (SupplementaryGroups=adm) read this?" when doctor runs as root. */
function admGid(): number | null {
  try {
    const line = readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.startsWith('adm:'));
    return line ? Number(line.split(':')[2]) : null;
  } catch {
    return null;
  }
}

/** Whether the unit's user (not root, in group adm) could read the file, judged from its mode. */
function serviceCanRead(path: string, adm: number | null): boolean {
  const st = statSync(path);
  if (st.mode & 0o004) return true;
  return adm !== null && st.gid === adm && (st.mode & 0o040) !== 0;
}

function errText(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.code ?? e.cause?.message ?? e.message ?? String(err);
}

async function checkSources(cfg: LoadedConfig, out: Check[]): Promise<void> {
  if (!cfg.sources.length && !cfg.httpSources.length) {
    out.push({ area: 'sources', status: 'fail', message: 'no sources configured', fix: 'add the app server log files under `sources:` (path: /var/log/app/*.log), or an `- http:` source for log shippers' });
    return;
  }
  const asRoot = process.getuid?.() === 0;
  const adm = admGid();
  for (const src of cfg.sources) {
    for (const pattern of src.path) {
      // The glob walk is silent about a folder it cannot enter or that is not there: probe it first.
      const folderFaults = sourceFolders([pattern]).flatMap((d) => {
        const code = probeFolder(d);
        return code ? [describeFault(d, 'folder', code)] : [];
      });
      for (const f of folderFaults) out.push({ area: 'sources', status: 'fail', message: `${pattern}: ${f.message}`, fix: f.fix });
      if (folderFaults.length) continue;
      const files = await glob(pattern, { absolute: true, onlyFiles: true });
      if (!files.length) {
        out.push({
          area: 'sources',
          status: 'warn',
          message: `${pattern}: no file matches (yet)`,
          fix: 'check the path; files that appear later are picked up, but a typo never matches',
        });
        continue;
      }
      const bad: string[] = [];
      const fixes = new Set<string>();
      const notForService: string[] = [];
      for (const f of files) {
        try {
          const fd = openSync(f, 'r');
          readSync(fd, Buffer.alloc(1), 0, 1, 0);
          closeSync(fd);
          if (asRoot && !serviceCanRead(f, adm)) notForService.push(f);
        } catch (err) {
          bad.push(`${f} (${errText(err)})`);
          fixes.add(describeFault(f, 'file', errText(err)).fix);
        }
      }
      if (bad.length) out.push({ area: 'sources', status: 'fail', message: `${pattern}: cannot read ${bad.join(', ')}`, fix: [...fixes].slice(0, 3).join('; ') }); 
      if (notForService.length) {
        out.push({
          area: 'sources',
          status: 'fail',
          message: `${pattern}: readable by root, but not by the service (group adm / others): ${notForService.join(', ')}`,
          fix: 'chgrp adm FILE && chmod g+r FILE, and have the app (or logrotate `create 0640 app adm`) create them that way',
        });
      }
      if (!bad.length && !notForService.length) out.push({ area: 'sources', status: 'ok', message: `${pattern}: ${files.length} readable file(s)` });
    }
  }
}

function checkDatabase(cfg: LoadedConfig, out: Check[]): void {
  const dir = dirname(cfg.dbPath);
  if (!existsSync(cfg.dbPath)) {
    let probe = dir;
    while (!existsSync(probe) && dirname(probe) !== probe) probe = dirname(probe);
    try {
      accessSync(probe, constants.W_OK);
      out.push({ area: 'database', status: 'ok', message: `${cfg.dbPath} does not exist yet; ${probe} is writable, it will be created at start` });
    } catch {
      out.push({ area: 'database', status: 'fail', message: `cannot create ${cfg.dbPath}: ${probe} is not writable`, fix: 'under systemd, set state_dir: /var/lib/apiwatch (StateDirectory=); otherwise chown the folder to the user running apiwatch' });
    }
    return;
  }
  const st = statSync(cfg.dbPath);
  if (process.getuid?.() === 0 && st.uid !== 0) {
    // Opening it as root could leave root-owned -wal/-shm files the service cannot open afterwards.
    const ok = (st.mode & 0o600) === 0o600;
    out.push({
      area: 'database',
      status: ok ? 'ok' : 'fail',
      message: `${cfg.dbPath} belongs to uid ${st.uid}, mode ${(st.mode & 0o777).toString(8)} (not opened as root; run doctor as the service user for a write test)`,
      fix: ok ? undefined : 'chmod 0600 the database; its owner must read and write it',
    });
    return;
  }
  try {
    // No migrations here: doctor must not change a database a running daemon owns.
    const db = new Database(cfg.dbPath, { fileMustExist: true });
    try {
      db.pragma('busy_timeout = 2000');
      db.exec('BEGIN IMMEDIATE');
      db.exec('ROLLBACK');
      const integrity = db.pragma('quick_check', { simple: true });
      if (integrity !== 'ok') out.push({ area: 'database', status: 'fail', message: `quick_check: ${String(integrity)}`, fix: 'stop apiwatch, back up the file, and restore or remove it (the logs are re-read from the start)' });
      else out.push({ area: 'database', status: 'ok', message: `${cfg.dbPath} is writable and passes quick_check` });
    } finally {
      db.close();
    }
  } catch (err) {
    const code = errText(err);
    out.push({
      area: 'database',
      status: 'fail',
      message: `${cfg.dbPath}: ${code}`,
      fix: code === 'SQLITE_BUSY' ? 'another process holds a long write lock; find it with `fuser` and stop it' : 'check ownership and mode of the file and its folder (the service user must write both)',
    });
  }
  try {
    const fs = statfsSync(dir);
    const free = fs.bavail * fs.bsize;
    if (free < 200 * 1024 * 1024) out.push({ area: 'database', status: 'warn', message: `only ${Math.round(free / 1048576)} MiB free on ${dir}`, fix: 'free space or lower retention.events_days; a full disk pauses ingestion until space returns' });
  } catch {
    /* statfs unsupported: nothing to say */
  }
}

/** What Slack answers a live incoming webhook that is sent an empty message: refused, nothing posted. */
const SLACK_LIVE = new Set(['no_text', 'invalid_payload']);
/** What a dead webhook answers whatever it is sent (Slack's "Handling errors" for incoming webhooks). */
const SLACK_DEAD = new Set(['no_service', 'no_service_id', 'invalid_token', 'channel_is_archived', 'channel_not_found', 'team_disabled', 'action_prohibited', 'no_team']);

/**
 * Proves each webhook is alive without paging anyone: POST `{}`. A live webhook refuses it with 400
 * `no_text` (nothing is posted); a revoked or deleted one answers 404 `no_service`, 403 `invalid_token`,
 * 410 `channel_is_archived`… A HEAD would prove only that hooks.slack.com answers, dead or not.
 */
async function checkSlack(cfg: LoadedConfig, out: Check[], timeoutMs: number): Promise<void> {
  const router = new SlackRouter(cfg.notify.slack ?? slackDefaults());
  for (const [target, raw] of router.urls) {
    const setting = webhookSetting(target);
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      out.push({ area: 'slack', status: 'fail', message: `${setting} is not a URL`, fix: 'use the https://hooks.slack.com/services/... URL from the Slack app' });
      continue;
    }
    // Never print the path: it is the secret.
    const where = `${url.protocol}//${url.host} (${setting})`;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'manual',
      });
      const answer = (await res.text()).trim().slice(0, 100);
      const said = `HTTP ${res.status}${answer ? ` ${answer}` : ''}`;
      if (res.status === 400 && SLACK_LIVE.has(answer)) {
        out.push({ area: 'slack', status: 'ok', message: `${where}: the webhook is live (${said} to an empty message; nothing was posted)` });
      } else if (SLACK_DEAD.has(answer) || [403, 404, 410].includes(res.status)) {
        out.push({
          area: 'slack',
          status: 'fail',
          message: `${where}: the webhook is dead (${said}); messages to it are dead-lettered`,
          fix: `create a new incoming webhook in the Slack app (or unarchive the channel) and replace ${setting}; then \`apiwatch outbox --dead\` lists the dead letters and \`apiwatch outbox --retry ID\` sends one again`,
        });
      } else {
        out.push({
          area: 'slack',
          status: 'warn',
          message: `${where}: unexpected answer to an empty message (${said}); Slack answers 400 no_text`,
          fix: res.status === 429 || res.status >= 500 ? 'Slack is rate limiting or failing: run doctor again in a minute' : 'check that the URL is a Slack incoming webhook and no proxy rewrites the answer',
        });
      }
    } catch (err) {
      const code = errText(err);
      out.push({
        area: 'slack',
        status: 'fail',
        message: `${where}: ${code === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : code}`,
        fix: 'check DNS and outbound HTTPS (proxy, firewall, egress rules) from this host to the webhook host',
      });
    }
  }
}

/** WeCom, DingTalk, Feishu: a signed, empty message proves URL, key and signature without posting to the group; webhook: HEAD. */
async function checkChat(cfg: LoadedConfig, out: Check[]): Promise<void> {
  for (const n of createChatNotifiers(cfg)) {
    for (const name of n.router.targets.keys()) {
      const p = await n.probe(name);
      out.push({ area: n.name, status: p.ok ? 'ok' : 'fail', message: `${name}: ${p.message}`, fix: p.fix });
    }
  }
}

async function checkSmtp(cfg: LoadedConfig, out: Check[], timeoutMs: number): Promise<void> {
  const smtp = cfg.notify.email?.smtp;
  if (!smtp) return;
  // Loaded here, not with every command (the daemon registers this one too): ~14 MB of RSS.
  const nodemailer = createRequire(import.meta.url)('nodemailer') as typeof import('nodemailer');
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth: smtp.user ? { user: smtp.user, pass: smtp.pass ?? '' } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    // verify(): connect, EHLO, STARTTLS and AUTH if configured; no message is sent.
    await transport.verify();
    out.push({ area: 'smtp', status: 'ok', message: `${smtp.host}:${smtp.port} accepts EHLO${smtp.user ? ' and login' : ''} (nothing was sent)` });
  } catch (err) {
    const code = errText(err);
    const auth = /EAUTH|535|534/.test(`${code} ${(err as Error).message}`);
    out.push({
      area: 'smtp',
      status: 'fail',
      message: `${smtp.host}:${smtp.port}: ${code}`,
      fix: auth
        ? 'the server rejected the login: check user and the smtp-password credential'
        : 'check host, port and `secure` (465 = true, 587 = false with STARTTLS), and that outbound SMTP is allowed',
    });
  } finally {
    transport.close();
  }
}

interface DaemonHealth {
  status?: string;
  problems?: string[];
  faults?: { message: string; fix: string }[];
  http_sources?: HttpSourceStatus[];
}

/** Host to reach a listener on from this machine (a wildcard bind is reached on loopback). */
function reachable(host: string): string {
  if (isLoopback(host) || host === '0.0.0.0' || host === '::') return host.includes(':') ? '[::1]' : '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Each `- http:` source: is apiwatch's ingest endpoint what answers there? A GET is refused with 405
 * and `Allow: POST` before any token check, so nothing is written and no token is needed (or shown).
 */
async function checkHttpSources(cfg: LoadedConfig, out: Check[], timeoutMs: number): Promise<void> {
  for (const h of cfg.httpSources) {
    const { host, port } = parseListen(h.listen);
    const where = `${h.listen}${h.path}`;
    const auth = h.token ? 'bearer token set' : 'no token (loopback only)';
    if (!isLoopback(host)) {
      out.push({ area: 'http-in', status: 'warn', message: `${where} is reachable from the network over plain HTTP (${auth})`, fix: 'keep it on a private network or put a TLS proxy (nginx, HAProxy) in front: the bearer token and the log lines travel in clear' });
    }
    if (!port) continue;
    let res: Response;
    try {
      res = await fetch(`http://${reachable(host)}:${port}${h.path}`, { signal: AbortSignal.timeout(Math.min(timeoutMs, 2000)) });
      await res.body?.cancel();
    } catch {
      out.push({ area: 'http-in', status: 'warn', message: `nothing answers on ${where} (daemon not running?)`, fix: 'systemctl status apiwatch; a port in use by another program stops the daemon at start (journalctl -u apiwatch)' });
      continue;
    }
    if (res.status === 405 && res.headers.get('allow') === 'POST') out.push({ area: 'http-in', status: 'ok', message: `${where}: the HTTP source is listening (${auth})` });
    else out.push({ area: 'http-in', status: 'fail', message: `${where}: something other than apiwatch's HTTP source answers (GET gave HTTP ${res.status})`, fix: 'another program holds the port, or a proxy rewrites the path: check `ss -ltnp` and the path' });
  }
}

function describeHttpSource(s: HttpSourceStatus): string {
  const last = s.last_request_at ? `last request ${s.last_request_at}` : 'no request since start';
  const rejected = Object.entries(s.rejected).filter(([, n]) => n > 0).map(([c, n]) => `${n}×${c}`);
  return `${s.listen}${s.path}: ${last}; ${s.records} records stored, ${s.duplicates} duplicates dropped${rejected.length ? `, refused ${rejected.join(' ')}` : ''}`;
}

/**
 * What the running daemon itself sees (its user, its descriptors): /healthz on its loopback listener.
 * Doctor may run as another user than the service, so its own probes can differ from the daemon's.
 */
async function checkRunningDaemon(cfg: LoadedConfig, out: Check[], timeoutMs: number): Promise<void> {
  if (!cfg.http.enabled) return;
  const { host, port } = parseListen(cfg.http.listen);
  if (!port) return; // an ephemeral port cannot be found from the config
  const target = reachable(host);
  let res: Response;
  try {
    res = await fetch(`http://${target}:${port}/healthz`, { signal: AbortSignal.timeout(Math.min(timeoutMs, 2000)) });
  } catch {
    out.push({ area: 'daemon', status: 'warn', message: `no daemon answers on ${cfg.http.listen} (not running?)`, fix: 'systemctl status apiwatch; journalctl -u apiwatch' });
    return;
  }
  let h: DaemonHealth;
  try {
    h = (await res.json()) as DaemonHealth;
  } catch {
    out.push({ area: 'daemon', status: 'warn', message: `${cfg.http.listen}/healthz answered HTTP ${res.status} but not with apiwatch's JSON` });
    return;
  }
  for (const f of h.faults ?? []) out.push({ area: 'daemon', status: 'fail', message: `the running daemon cannot read a source: ${f.message}`, fix: f.fix });
  for (const s of h.http_sources ?? []) {
    if (s.fault) {
      out.push({
        area: 'http-in',
        status: 'fail',
        message: `${s.listen}${s.path}: the last batch was not stored (HTTP ${s.fault.status} at ${s.fault.at}: ${s.fault.message}); shippers are retrying it`,
        fix: s.fault.status === 503 ? 'the database is not taking writes: free disk space or stop what holds its lock' : 'see the error in the daemon log (journalctl -u apiwatch)',
      });
    } else out.push({ area: 'http-in', status: 'ok', message: describeHttpSource(s) });
  }
  const others = (h.problems ?? []).filter((p) => !p.startsWith('source not readable: ') && !p.startsWith('HTTP source '));
  if (h.status === 'unhealthy' || res.status !== 200) {
    out.push({ area: 'daemon', status: 'fail', message: `the running daemon is unhealthy: ${others.join('; ') || `HTTP ${res.status}`}`, fix: 'see the fix in the daemon log (journalctl -u apiwatch) for each problem' });
  } else if (!h.faults?.length && !h.http_sources?.some((s) => s.fault)) out.push({ area: 'daemon', status: 'ok', message: `the running daemon reports ${h.status ?? 'ok'}` });
}

function checkSystemd(cfg: LoadedConfig, out: Check[]): void {
  try {
    execFileSync('systemd-notify', ['--help'], { stdio: 'ignore' });
  } catch {
    out.push({ area: 'systemd', status: 'warn', message: 'systemd-notify is not on PATH', fix: 'install systemd (apt-get install systemd); under Type=notify the service would time out at start without it' });
  }
  if (cfg.http.enabled && !isLoopback(parseListen(cfg.http.listen).host)) {
    out.push({ area: 'http', status: 'warn', message: `http.listen ${cfg.http.listen} is reachable from the network`, fix: 'bind to 127.0.0.1 and let the local Prometheus agent scrape it' });
  }
}

/** Runs every check; never throws for a problem it can describe. */
export async function runDoctor(explicitConfig: string | undefined, opts: DoctorOptions = {}): Promise<{ file: string | null; checks: Check[] }> {
  const out: Check[] = [];
  const timeoutMs = opts.timeoutMs ?? 5000;
  const file = configPath(explicitConfig);
  let cfg: LoadedConfig;
  try {
    cfg = getConfig(explicitConfig);
    out.push({ area: 'config', status: 'ok', message: `${file ?? '(built-in defaults)'} is valid` });
  } catch (err) {
    out.push({ area: 'config', status: 'fail', message: (err as Error).message, fix: 'edit the file at the line shown; `apiwatch check-config` re-checks it' });
    return { file, checks: out };
  }
  try {
    await loadClassifierFor(cfg);
    out.push({ area: 'rules', status: 'ok', message: `bundled rules${cfg.rules.files.length ? ` + ${cfg.rules.files.length} file(s)` : ''} load` });
  } catch (err) {
    out.push({ area: 'rules', status: 'fail', message: (err as Error).message, fix: 'fix the rule at the line shown; `apiwatch rules lint` re-checks it' });
  }
  await checkSources(cfg, out);
  checkDatabase(cfg, out);
  checkSystemd(cfg, out);
  await checkHttpSources(cfg, out, timeoutMs);
  await checkRunningDaemon(cfg, out, timeoutMs);
  if (!opts.offline) {
    await checkSlack(cfg, out, timeoutMs);
    await checkSmtp(cfg, out, timeoutMs);
    await checkChat(cfg, out);
  }
  return { file, checks: out };
}

export function formatChecks(checks: Check[]): string {
  const tag = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`${tag[c.status]}  ${c.area.padEnd(8)} ${c.message.replace(/\n/g, '\n                ')}`);
    if (c.fix && c.status !== 'ok') lines.push(`                fix: ${c.fix}`);
  }
  return lines.join('\n') + '\n';
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('Check config, rules, source files, the database, Slack and SMTP (nothing is sent) and say how to fix what is wrong.')
    .option('-c, --config <file>', 'config file')
    .option('--offline', 'skip the Slack and SMTP checks')
    .action(async (opts: { config?: string; offline?: boolean }) => {
      const { checks } = await runDoctor(opts.config, { offline: opts.offline });
      process.stdout.write(formatChecks(checks));
      const failed = checks.filter((c) => c.status === 'fail').length;
      const warned = checks.filter((c) => c.status === 'warn').length;
      process.stdout.write(failed ? `${failed} problem(s) to fix${warned ? `, ${warned} warning(s)` : ''}\n` : `all good${warned ? ` (${warned} warning(s))` : ''}\n`);
      const configBad = checks.some((c) => (c.area === 'config' || c.area === 'rules') && c.status === 'fail');
      process.exitCode = configBad ? 2 : failed ? 1 : 0;
    });
}
