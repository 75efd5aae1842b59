import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The daemon's own structured log (JSON lines on stdout, for journald).
 * Level: APIWATCH_LOG_LEVEL, else the config's log.level.
 */
export function createLogger(level?: string): Logger {
  return pino({
    level: process.env.APIWATCH_LOG_LEVEL || level || 'info',
    base: { name: 'apiwatch' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Defence in depth: config secrets never belong in a log line, even if an object carrying them is logged.
    redact: { paths: ['*.pass', '*.password', '*.webhook_url', 'webhook_url', 'pass'], censor: '[REDACTED]' },
  });
}

export const silentLogger: Logger = pino({ level: 'silent' });
