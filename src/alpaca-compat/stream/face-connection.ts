import { randomUUID } from 'node:crypto';
import type { StreamAccess } from '../../streams/stream-access.service.js';
import type { StreamSession } from '../../streams/hub/stream-session.js';

/**
 * Frames of one connection waiting for the one before them to be handled. An SDK sends a few at a
 * time (auth, then a subscribe or two); past this, frames are not read at all (a flood while an
 * auth is being verified costs bounded memory; after auth the frame rate limit applies).
 */
const MAX_PENDING_FRAMES = 32;

/**
 * One socket of the face: its hub session and what the face keeps beside it. Its frames are
 * handled strictly one after the other: Alpaca's server answers in order, and a client that sends
 * `auth` and `subscribe` back to back must not see the subscribe refused because the credentials
 * were still being verified.
 */
export class FaceConnection {
  readonly requestId = `ws_${randomUUID().replace(/-/g, '')}`;
  authTimer: NodeJS.Timeout | null = null;
  /** Error replies sent before authentication: at most one (an anonymous flood earns no replies). */
  errorsBeforeAuth = 0;
  /** Still counted among its address's unauthenticated sockets (StreamAccess). */
  private waiting = true;
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(
    readonly session: StreamSession,
    /** The upgrade's path, e.g. `/v2/iex`: the route of its audit records. */
    readonly path: string,
    private readonly access: StreamAccess,
    private readonly failed: (e: unknown) => void,
  ) {}

  get authenticated(): boolean {
    return this.session.principal !== null;
  }

  /** Runs `task` after every task queued before it (dropped when MAX_PENDING_FRAMES are waiting). */
  enqueue(task: () => Promise<void> | void): void {
    if (this.pending >= MAX_PENDING_FRAMES) return;
    this.pending += 1;
    this.chain = this.chain
      .then(task)
      .catch((e: unknown) => this.failed(e))
      .finally(() => {
        this.pending -= 1;
      });
  }

  /** No longer one of its address's unauthenticated sockets (it authenticated, or it is gone). */
  stopWaiting(): void {
    if (!this.waiting) return;
    this.waiting = false;
    this.access.releaseUnauthenticated(this.session.client);
  }

  clearAuthTimer(): void {
    if (this.authTimer === null) return;
    clearTimeout(this.authTimer);
    this.authTimer = null;
  }

  /** Authenticated, or the connection gone: the timer and the unauthenticated slot both go. */
  settled(): void {
    this.clearAuthTimer();
    this.stopWaiting();
  }
}
