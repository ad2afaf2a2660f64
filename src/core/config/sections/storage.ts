import { dirname, join } from 'node:path';
import { z } from 'zod';
import { int, matching, optionalText, text } from './fields.js';

/** Where state lives: Redis, PostgreSQL, the audit file and the trading halt's file. */
export const storageSection = z
  .object({
    REDIS_URL: matching(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL'),
    DATABASE_URL: matching(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL'),
    AUDIT_LOG_PATH: text('./data/audit.jsonl'),
    /** The trading halt's durable file without DATABASE_URL; default: `trading-halts.json` beside AUDIT_LOG_PATH. */
    TRADING_HALT_FILE: optionalText(),
    /** How often each instance re-reads the fleet's halts (the safety net under Redis pub/sub); at most 1000: a halt reaches every instance within a second. */
    TRADING_HALT_REFRESH_MS: int(1000, 50, 1000),
  })
  .transform((v) => ({
    redisUrl: v.REDIS_URL,
    databaseUrl: v.DATABASE_URL,
    auditLogPath: v.AUDIT_LOG_PATH,
    /** The fleet-wide trading halt: its file without DATABASE_URL, and how often instances re-read it (ms, ≤ 1000). */
    tradingHalt: {
      file: v.TRADING_HALT_FILE ?? join(dirname(v.AUDIT_LOG_PATH), 'trading-halts.json'),
      refreshMs: v.TRADING_HALT_REFRESH_MS,
    },
  }));
