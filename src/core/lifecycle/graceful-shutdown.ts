import type { Server, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { WinstonLogger } from '../logging/winston-logger.js';

/** After the drain and Nest's hooks, whatever is still running (a hung hook) is cut off this much later. */
const HOOKS_DEADLINE_MS = 10_000;

export interface GracefulShutdownOptions {
  app: INestApplication;
  /** The listening server (app.getHttpServer()). */
  server: Server;
  /** SHUTDOWN_GRACE_MS: how long in-flight requests may take once the listener is closed. */
  graceMs: number;
  logger: WinstonLogger;
  /**
   * Called when draining starts, for connections that never finish by themselves (the client
   * stream's WebSocket and SSE connections are closed with 1001 here, so they do not hold the drain).
   */
  onDrain?: () => void;
  /** process.exit by default; tests pass a spy. */
  exit?: (code: number) => void;
}

/**
 * SIGTERM as Kubernetes sends it: stop accepting connections, let in-flight requests finish
 * within the grace period (answers on kept-alive connections say `Connection: close`), cut what
 * is left, then close the Nest application, whose hooks flush and close what they own
 * (`beforeApplicationShutdown`: e.g. the audit store flushes; `onApplicationShutdown`: Redis and
 * PostgreSQL close), and exit 0. Nest's own enableShutdownHooks would run those hooks while
 * requests are still in flight and re-raise the signal (exit 143), so main.ts uses this instead.
 */
export class GracefulShutdown {
  private readonly inFlight = new Set<ServerResponse>();
  private draining = false;
  private idle: (() => void) | null = null;
  private started = false;

  constructor(private readonly options: GracefulShutdownOptions) {
    // Prepended so the header is set before any handler can start writing the response.
    options.server.prependListener('request', (_req: unknown, res: ServerResponse) => this.track(res));
  }

  /** Requests received and not yet answered (or abandoned by their client). */
  get pending(): number {
    return this.inFlight.size;
  }

  listen(signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): void {
    for (const signal of signals) {
      process.on(signal, () => {
        void this.shutdown(signal);
      });
    }
  }

  /** Runs once; a second signal while draining is logged and otherwise ignored. */
  async shutdown(signal: string): Promise<void> {
    const { logger, graceMs } = this.options;
    const exit = this.options.exit ?? ((code: number) => process.exit(code));
    if (this.started) {
      logger.event('warn', 'shutdown_signal_ignored', {
        signal,
        reason: 'already shutting down',
        in_flight: this.pending,
      });
      return;
    }
    this.started = true;
    // System time on purpose: the process's own drain, timed against real timers, before any Clock exists or after it is gone.
    const startedAt = Date.now();
    logger.event('info', 'shutdown_started', { signal, in_flight: this.pending, grace_ms: graceMs });
    const hardStop = setTimeout(() => {
      logger.event('error', 'shutdown_hooks_timeout', { waited_ms: Date.now() - startedAt });
      exit(1);
    }, graceMs + HOOKS_DEADLINE_MS);
    hardStop.unref();
    try {
      const drained = await this.drain();
      logger.event(drained ? 'info' : 'warn', drained ? 'shutdown_drained' : 'shutdown_grace_expired', {
        in_flight: this.pending,
        waited_ms: Date.now() - startedAt,
      });
      await this.options.app.close();
      logger.event('info', 'shutdown_complete', { duration_ms: Date.now() - startedAt });
      clearTimeout(hardStop);
      exit(0);
    } catch (e: unknown) {
      logger.event('error', 'shutdown_failed', { error: e instanceof Error ? e.message : String(e) });
      clearTimeout(hardStop);
      exit(1);
    }
  }

  private track(res: ServerResponse): void {
    this.inFlight.add(res);
    if (this.draining) res.shouldKeepAlive = false;
    res.once('close', () => {
      this.inFlight.delete(res);
      if (this.inFlight.size === 0) this.idle?.();
    });
  }

  /** Resolves true when every in-flight request finished within the grace period. */
  private async drain(): Promise<boolean> {
    const { server, graceMs } = this.options;
    this.draining = true;
    this.options.onDrain?.();
    server.close();
    server.closeIdleConnections();
    // Answers still to come end their connection instead of keeping it alive for a next request.
    for (const res of this.inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
    const finished = this.inFlight.size === 0 || (await this.waitForIdle(graceMs));
    // Connections whose last request finished while draining, and any still busy past the grace.
    server.closeAllConnections();
    return finished;
  }

  private waitForIdle(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idle = null;
        resolve(false);
      }, ms);
      this.idle = () => {
        clearTimeout(timer);
        this.idle = null;
        resolve(true);
      };
    });
  }
}
