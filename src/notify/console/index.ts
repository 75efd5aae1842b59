import { atLeast, type Severity } from '../../classify/types.js';
import type { LoadedConfig } from '../../config/load.js';
import type { DeliveryResult, Notification, Notifier, OutboxMessage } from '../notifier.js';
import { localTimezone, wantsColor } from '../../util/terminal.js';
import { alertTone, formatAlert, isTone, paintFirstLine } from './format.js';

/** The console channel's one target: the daemon's standard output. */
export const CONSOLE_TARGET = 'stdout';

export interface ConsoleOptions {
  /** IANA zone every time is shown in (ISO 8601 with its offset). Default the machine's. */
  timezone?: string;
  /** Default: standard output is a terminal and NO_COLOR is not set. */
  color?: boolean;
}

/** The zone console times are shown in: notify.console.timezone, else the digest's, else the machine's. */
export function consoleTimezone(cfg: Pick<LoadedConfig, 'notify' | 'digest'>): string {
  return cfg.notify.console.timezone ?? cfg.digest.timezone ?? localTimezone();
}

/**
 * Prints a readable alert per notification: the default when no webhook is configured. It goes through
 * the outbox like every channel, so a page decided just before a crash is still printed after it.
 * The stored text has no colour: colour belongs to the terminal it is printed on, decided at delivery.
 */
export class ConsoleNotifier implements Notifier {
  readonly name = 'console';
  readonly rate = {};
  private readonly timezone: string;
  private readonly color: boolean;

  constructor(
    readonly minSeverity: Severity = 'error',
    private readonly out: (text: string) => void = (t) => process.stdout.write(t),
    opts: ConsoleOptions = {},
  ) {
    this.timezone = opts.timezone ?? localTimezone();
    this.color = opts.color ?? wantsColor(process.stdout);
  }

  static fromConfig(cfg: Pick<LoadedConfig, 'notify' | 'digest'>): ConsoleNotifier {
    return new ConsoleNotifier(cfg.notify.console.min_severity, undefined, { timezone: consoleTimezone(cfg) });
  }

  render(n: Notification): OutboxMessage[] {
    if (n.kind !== 'resolved' && !atLeast(n.incident.severity, this.minSeverity)) return [];
    return [{ target: CONSOLE_TARGET, payload: { text: formatAlert(n, this.timezone), tone: alertTone(n) } }];
  }

  async deliver(_target: string, payload: unknown): Promise<DeliveryResult> {
    const { text, tone } = payload as { text?: unknown; tone?: unknown };
    if (typeof text !== 'string') return { ok: false, permanent: true, status: 0, error: 'console payload without text' };
    this.out(this.color && isTone(tone) ? paintFirstLine(text, tone) : text);
    return { ok: true, status: 0 };
  }
}
