import type { AppConfig } from '../../core/config/app-config.js';
import { AppError } from '../../core/errors/app-error.js';
import type { Clock } from '../../core/time/clock.js';
import type { StreamMetrics } from '../stream-metrics.js';
import { StreamSession } from './stream-session.js';

/**
 * The open sessions: each opened with the configured queue limits, bound to at most
 * STREAM_MAX_CONNECTIONS_PER_PRINCIPAL per principal, counted in the clients gauge until it is
 * let go. What a session subscribed to is the hub's to release.
 */
export class SessionRegistry {
  private readonly sessions = new Set<StreamSession>();
  private readonly perPrincipal = new Map<string, number>();

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly metrics: StreamMetrics,
  ) {}

  open(sink: StreamSession['sink'], client: string): StreamSession {
    const {
      clientQueueMessages: messages,
      clientQueueBytes: bytes,
      slowClientCloseMs: slowCloseMs,
    } = this.config.stream;
    const session = new StreamSession(
      sink,
      client,
      { messages, bytes, slowCloseMs },
      () => this.clock.now(),
      (n) => this.metrics.dropped(n),
    );
    this.sessions.add(session);
    this.metrics.clients(sink.transport, 1);
    return session;
  }

  /** Binds a principal to a session; refuses past STREAM_MAX_CONNECTIONS_PER_PRINCIPAL. */
  authenticate(
    session: StreamSession,
    principal: NonNullable<StreamSession['principal']>,
    expiresAtMs: number | null,
  ): void {
    // A session closed while its credentials were being verified binds nothing (hub.close has run, or will not count it).
    if (session.closed) throw new AppError('AUTHENTICATION_REQUIRED', { message: 'The connection is closed.' });
    const tracker = principal.keyId ?? principal.sub;
    if (session.principal === null) {
      const held = this.perPrincipal.get(tracker) ?? 0;
      if (held >= this.config.stream.maxConnectionsPerPrincipal) {
        throw new AppError('RATE_LIMIT_EXCEEDED', {
          message: `At most ${this.config.stream.maxConnectionsPerPrincipal} stream connections per principal.`,
          details: { reason: 'stream_connections', limit: this.config.stream.maxConnectionsPerPrincipal },
        });
      }
      this.perPrincipal.set(tracker, held + 1);
    }
    session.principal = principal;
    session.expiresAtMs = expiresAtMs;
  }

  /** Takes the session off the open ones; false when it was not open (closed already). */
  forget(session: StreamSession): boolean {
    return this.sessions.delete(session);
  }

  /** A forgotten session is closed for good: no longer counted, nor against its principal. */
  release(session: StreamSession): void {
    session.closed = true;
    this.metrics.clients(session.sink.transport, -1);
    if (session.principal !== null) {
      const tracker = session.principal.keyId ?? session.principal.sub;
      const held = (this.perPrincipal.get(tracker) ?? 1) - 1;
      if (held <= 0) this.perPrincipal.delete(tracker);
      else this.perPrincipal.set(tracker, held);
    }
  }

  all(): ReadonlySet<StreamSession> {
    return this.sessions;
  }

  /** Principals holding at least one session (leak checks). */
  principals(): number {
    return this.perPrincipal.size;
  }
}
