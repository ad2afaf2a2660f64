import { LoggerService } from '@nestjs/common';
import type { Writable } from 'node:stream';
import winston from 'winston';
import type { AppConfig } from '../config/app-config.js';
import { LineTransport } from './line-transport.js';
import { isoTimestamp } from '../attribution/timestamps.js';

const REDACTED = '[REDACTED]';
/** Shorter values cannot be real credentials, and replacing them would shred ordinary words. */
const MIN_REDACTED_LENGTH = 8;

/** Replaces every configured secret wherever it appears in a log record (defence in depth). */
function redactSecrets(all: string[]): winston.Logform.Format {
  const secrets = all.filter((s) => s.length >= MIN_REDACTED_LENGTH);
  const redactString = (s: string): string => secrets.reduce((acc, secret) => (acc.includes(secret) ? acc.split(secret).join(REDACTED) : acc), s);
  const redact = (value: unknown): unknown => {
    if (typeof value === 'string') return redactString(value);
    if (Array.isArray(value)) return value.map(redact);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v)]));
    }
    return value;
  };
  return winston.format((info) => {
    for (const key of Object.keys(info)) info[key] = redact(info[key]);
    return info;
  })();
}

/**
 * Winston as Nest's logger: JSON lines (or pretty text for humans), secrets redacted.
 * `sink` lets tests capture exactly what would be written.
 */
export class WinstonLogger implements LoggerService {
  private readonly logger: winston.Logger;

  constructor(config: Pick<AppConfig, 'log' | 'secrets'>, sink?: Writable) {
    const format =
      config.log.format === 'json'
        ? winston.format.combine(redactSecrets(config.secrets()), winston.format.timestamp({ format: () => isoTimestamp() }), winston.format.json())
        : winston.format.combine(
            redactSecrets(config.secrets()),
            winston.format.timestamp({ format: () => isoTimestamp() }),
            winston.format.colorize(),
            winston.format.simple(),
          );
    const transport =
      sink === undefined ? new LineTransport({ out: process.stdout, err: process.stderr, errLevels: ['error'] }) : new LineTransport({ out: sink });
    this.logger = winston.createLogger({ level: config.log.level, format, transports: [transport] });
  }

  /** Structured entry point used by our own code: a message plus fields. */
  event(level: 'error' | 'warn' | 'info' | 'debug', message: string, fields: Record<string, unknown> = {}): void {
    this.logger.log(level, message, fields);
  }

  log(message: unknown, context?: string): void {
    this.logger.info(String(message), { context });
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error(String(message), { context, trace });
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn(String(message), { context });
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug(String(message), { context });
  }
  verbose(message: unknown, context?: string): void {
    this.logger.verbose(String(message), { context });
  }
}
