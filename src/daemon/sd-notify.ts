import { execFile } from 'node:child_process';
import type { Logger } from '../util/log.js';

/**
 * The sd_notify protocol through systemd-notify(1).
 *
 * Node cannot open the AF_UNIX datagram socket `$NOTIFY_SOCKET` names, and the npm bindings are native
 * builds. systemd-notify ships with systemd, speaks the protocol exactly, and by default waits for PID 1
 * to acknowledge (BARRIER=1), so a message from the short-lived child is never dropped because it
 * exited before PID 1 looked up its cgroup. The unit sets NotifyAccess=all because the sender is a child.
 *
 * Messages go out one at a time, in order (READY=1 must not overtake RELOADING=1).
 */
export class SdNotify {
  private chain: Promise<void> = Promise.resolve();
  private readonly socket: string | undefined;
  private readonly tool: string;
  /** Last failure logged: a missing systemd-notify must not fill the journal with one line per ping. */
  private lastError: string | null = null;

  constructor(
    private readonly log: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.socket = env.NOTIFY_SOCKET || undefined;
    this.tool = env.APIWATCH_SYSTEMD_NOTIFY || 'systemd-notify';
  }

  get enabled(): boolean {
    return this.socket !== undefined;
  }

  /**
   * The watchdog interval to ping at (half of WatchdogSec=, so one slow ping is not fatal), or null when
   * the manager did not ask for keep-alives or asked another process (WATCHDOG_PID).
   */
  watchdogIntervalMs(): number | null {
    const usec = Number(this.env.WATCHDOG_USEC);
    if (!this.enabled || !Number.isFinite(usec) || usec <= 0) return null;
    const pid = this.env.WATCHDOG_PID;
    if (pid && Number(pid) !== process.pid) return null;
    return Math.max(100, Math.floor(usec / 1000 / 2));
  }

  /** Sends `KEY=value` assignments; resolves once systemd has them (or the send failed and was logged). */
  send(fields: Record<string, string | number>): Promise<void> {
    if (!this.socket) return Promise.resolve();
    // STATUS text is a single line in `systemctl status`; strip newlines so it cannot add assignments.
    const args = Object.entries(fields).map(([k, v]) => `${k}=${String(v).replace(/[\r\n]+/g, ' ')}`);
    const next = this.chain.then(
      () =>
        new Promise<void>((resolve) => {
          execFile(this.tool, args, { env: { ...this.env, NOTIFY_SOCKET: this.socket }, timeout: 10_000 }, (err, _o, stderr) => {
            const msg = err ? (stderr || err.message).trim() : null;
            if (msg && msg !== this.lastError) this.log.warn({ fields: Object.keys(fields), err: msg }, 'sd_notify failed');
            else if (!msg && this.lastError) this.log.info('sd_notify works again');
            this.lastError = msg;
            resolve();
          });
        }),
    );
    this.chain = next;
    return next;
  }

  ready(status?: string): Promise<void> {
    return this.send(status ? { READY: 1, STATUS: status } : { READY: 1 });
  }

  reloading(): Promise<void> {
    return this.send({ RELOADING: 1, STATUS: 'reloading configuration' });
  }

  stopping(): Promise<void> {
    return this.send({ STOPPING: 1, STATUS: 'stopping: committing the batch in flight' });
  }

  status(text: string): Promise<void> {
    return this.send({ STATUS: text });
  }

  watchdog(): Promise<void> {
    return this.send({ WATCHDOG: 1 });
  }
}
