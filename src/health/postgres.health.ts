import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import pg from 'pg';
import { AppConfig } from '../core/config/app-config.js';
import { WinstonLogger } from '../core/logging/winston-logger.js';
import { ReadinessRegistry, type ReadinessCheck } from '../core/readiness/readiness.registry.js';

/** A database that cannot accept a connection this fast is not one to take traffic with. */
const CONNECT_TIMEOUT_MS = 1000;
const QUERY_TIMEOUT_MS = 1000;
const IDLE_TIMEOUT_MS = 60_000;

/**
 * PostgreSQL accepts a connection and answers `SELECT 1`; registered only when DATABASE_URL is
 * set. One pooled client, kept open between probes so a probe costs one round trip; closed on
 * shutdown. (The audit store, when it lands, checks that it can write; this checks reachability.)
 */
@Injectable()
export class PostgresReadiness implements ReadinessCheck, OnModuleInit, OnApplicationShutdown {
  readonly name = 'postgres';
  private readonly pool: pg.Pool | null;

  constructor(
    config: AppConfig,
    private readonly registry: ReadinessRegistry,
    logger: WinstonLogger,
  ) {
    if (config.databaseUrl === undefined) {
      this.pool = null;
      return;
    }
    this.pool = new pg.Pool({
      connectionString: config.databaseUrl,
      max: 1,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      idleTimeoutMillis: IDLE_TIMEOUT_MS,
      allowExitOnIdle: true,
      application_name: 'opitios-alpaca-readiness',
    });
    // An idle client whose server went away emits 'error'; unhandled it would crash the process.
    this.pool.on('error', (e: Error) => logger.event('debug', 'postgres_idle_client_error', { error: e.message }));
  }

  onModuleInit(): void {
    if (this.pool !== null) this.registry.register(this);
  }

  async check(): Promise<void> {
    if (this.pool === null) return;
    try {
      await this.pool.query('SELECT 1');
    } catch (e: unknown) {
      // pg's messages can name the host or user; the error code is enough to act on.
      const code = typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : 'unknown';
      throw new Error(`PostgreSQL does not answer (${code})`, { cause: e });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool?.end();
  }
}
