import { pino, type Logger, type DestinationStream } from 'pino';
import { isoInZone, localTimezone } from './terminal.js';

export type { Logger };

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const SKIP = new Set(['level', 'time', 'msg', 'name', 'pid', 'hostname']);

/**
 * One JSON log line as `2026-11-28T13:41:36.314+08:00 LEVEL msg key=value …` for a person at a
 * terminal: the same time format, in the same zone, as the console's alerts.
 */
export function prettyLine(json: string, zone: string = localTimezone()): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const ms = typeof o.time === 'string' ? Date.parse(o.time) : NaN;
  const t = Number.isNaN(ms) ? '' : isoInZone(ms, zone);
  const lvl = (LEVELS[o.level as number] ?? String(o.level)).padEnd(5);
  const rest = Object.entries(o)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${t} ${lvl} ${String(o.msg ?? '')}${rest ? `  ${rest}` : ''}\n`;
}

function prettyStdout(zone: string): DestinationStream {
  return { write: (s: string) => void process.stdout.write(prettyLine(s.trimEnd(), zone)) };
}

export interface LoggerOptions {
  /** Human-readable lines instead of JSON. Default: when stdout is a terminal (never under journald). */
  pretty?: boolean;
  /** Zone of the readable lines' times (default the machine's). */
  timezone?: string;
}

/**
 * The daemon's own structured log (JSON lines on stdout, for journald; readable lines on a TTY).
 * Level: APIWATCH_LOG_LEVEL, else the config's log.level.
 */
export function createLogger(level?: string, opts: LoggerOptions = {}): Logger {
  const pretty = opts.pretty ?? process.stdout.isTTY === true;
  return pino(
    {
      level: effectiveLevel(level),
      base: { name: 'apiwatch' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Defence in depth: config secrets never belong in a log line, even if an object carrying them is logged.
      redact: {
        paths: ['*.pass', '*.password', '*.webhook_url', 'webhook_url', 'pass', '*.smtp.pass', 'cfg', 'config', '*.secret', 'secret', '*.headers', 'headers', '*.token', 'token', '*.ui_token', 'authorization', '*.authorization'],
        censor: '[REDACTED]',
      },
    },
    pretty ? prettyStdout(opts.timezone ?? localTimezone()) : undefined,
  );
}

/** The environment wins over the config, so an operator can turn on debug without editing the file. */
export function effectiveLevel(configLevel?: string): string {
  return process.env.APIWATCH_LOG_LEVEL || configLevel || 'info';
}

export const silentLogger: Logger = pino({ level: 'silent' });
