import { LoggerService } from '@nestjs/common';
import type { Writable } from 'node:stream';
import winston from 'winston';
import type { AppConfig } from '../config/app-config.js';
import { LineTransport, MESSAGE } from './line-transport.js';
import { isoTimestamp } from '../attribution/timestamps.js';
import { currentScope } from '../telemetry/request-scope.js';

const REDACTED = '[REDACTED]';
/** Shorter values cannot be real credentials, and replacing them would shred ordinary words. */
const MIN_REDACTED_LENGTH = 8;

/**
 * Replaces every configured secret wherever it appears in a log record (defence in depth). A value
 * with nothing to redact is left as it is (no copy): nearly every record is such a one. Objects and
 * arrays that do hold a secret are copied, never changed in place (they may be the caller's).
 */
function redactSecrets(all: string[]): winston.Logform.Format {
  const secrets = all.filter((s) => s.length >= MIN_REDACTED_LENGTH);
  const redactString = (s: string): string => {
    let out = s;
    for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  };
  // `path` holds the objects being walked: a cycle back into one is left as it is (the JSON line
  // then marks it), rather than recursing until the stack overflows.
  const redact = (value: unknown, path: Set<object>): unknown => {
    if (typeof value === 'string') return redactString(value);
    if (value === null || typeof value !== 'object' || path.has(value)) return value;
    path.add(value);
    try {
      if (Array.isArray(value)) {
        const items: unknown[] = value;
        const redacted = items.map((v) => redact(v, path));
        return redacted.some((v, i) => v !== items[i]) ? redacted : value;
      }
      let copy: Record<string, unknown> | null = null;
      for (const [k, v] of Object.entries(value)) {
        const r = redact(v, path);
        if (r !== v) {
          copy ??= { ...(value as Record<string, unknown>) };
          copy[k] = r;
        }
      }
      return copy ?? value;
    } finally {
      path.delete(value);
    }
  };
  return winston.format((info) => {
    const path = new Set<object>();
    for (const key of Object.keys(info)) {
      const v = info[key];
      const r = redact(v, path);
      if (r !== v) info[key] = r;
    }
    return info;
  })();
}

/**
 * The request id and trace id of the request a line was written for (from its AsyncLocalStorage
 * scope), so that an upstream call's line, an audit failure's or a cache warning's can be traced to
 * the request that caused it. A line that names them itself keeps its own.
 */
const requestFields = winston.format((info) => {
  const scope = currentScope();
  if (scope === undefined) return info;
  info['request_id'] ??= scope.requestId;
  if (scope.traceId !== null) info['trace_id'] ??= scope.traceId;
  return info;
})();

/** winston's own json format, for the rare record JSON.stringify refuses (a cycle, a BigInt). */
const safeJson = winston.format.json();

/**
 * One JSON line per record, keys in the record's own order. winston's json format (safe-stable-
 * stringify: keys sorted, a replacer called on every value) costs several times JSON.stringify,
 * and a line is written for every request; what JSON.stringify cannot take goes to it instead.
 */
const jsonLine = winston.format((info) => {
  try {
    (info as Record<string | symbol, unknown>)[MESSAGE] = JSON.stringify(info);
    return info;
  } catch {
    return safeJson.transform(info, safeJson.options);
  }
})();

/**
 * Winston as Nest's logger: JSON lines (or pretty text for humans), secrets redacted.
 * `sink` lets tests capture exactly what would be written.
 */
export class WinstonLogger implements LoggerService {
  private readonly logger: winston.Logger;

  constructor(config: Pick<AppConfig, 'log' | 'secrets'>, sink?: Writable) {
    const format =
      config.log.format === 'json'
        ? winston.format.combine(
            requestFields,
            redactSecrets(config.secrets()),
            winston.format.timestamp({ format: () => isoTimestamp() }),
            jsonLine,
          )
        : winston.format.combine(
            requestFields,
            redactSecrets(config.secrets()),
            winston.format.timestamp({ format: () => isoTimestamp() }),
            winston.format.colorize(),
            winston.format.simple(),
          );
    const transport =
      sink === undefined
        ? new LineTransport({ out: process.stdout, err: process.stderr, errLevels: ['error'] })
        : new LineTransport({ out: sink });
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
