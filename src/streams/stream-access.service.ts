import type { IncomingMessage } from 'node:http';
import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import proxyaddr from 'proxy-addr';
import { CredentialVerifier, type PresentedCredentials } from '../auth/tokens/credential-verifier.service.js';
import { tokenExpirySeconds } from '../auth/tokens/jwt-keys.js';
import { AppConfig } from '../core/config/app-config.js';
import { Clock } from '../core/time/clock.js';
import { AppError } from '../core/errors/app-error.js';
import { ACCOUNT_HEADER, accountsOf } from '../core/identity/account.js';
import type { Principal } from '../core/identity/principal.js';
import { StreamHub } from './hub/stream-hub.service.js';
import { CLOSE_CODES, errorMessage, OutboundMessage } from './stream-protocol.js';
import type { StreamSession } from './hub/stream-session.js';

/** How often connected principals are checked again (revoked keys, expired tokens). */
const RECHECK_MS = 1000;
export const STREAM_ROUTE = 'WS /api/v1/stream';

type TrustFn = (address: string, hop: number) => boolean;

/**
 * Authentication of stream connections, shared by the WebSocket and SSE transports: the same
 * credentials, checks and refusal accounting as REST (CredentialVerifier), the client address
 * through TRUST_PROXY like Express's, and a sweep that closes a connection (4401) whose token
 * expired or whose API key was revoked or lost a role, within about a second of the key file
 * being re-read.
 */
@Injectable()
export class StreamAccess implements OnModuleInit, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  private trust: TrustFn | null = null;
  /** Client address → its WebSockets not yet authenticated (STREAM_MAX_UNAUTHENTICATED_PER_ADDRESS). */
  private readonly waitingPerAddress = new Map<string, number>();

  constructor(
    private readonly verifier: CredentialVerifier,
    private readonly hub: StreamHub,
    private readonly config: AppConfig,
    private readonly http: HttpAdapterHost,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => this.recheck(), RECHECK_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer !== null) clearInterval(this.timer);
  }

  /** The client's address for an upgrade request, as Express would compute it for a route. */
  clientAddress(req: IncomingMessage): string {
    this.trust ??= this.http.httpAdapter.getInstance<{ get(name: string): TrustFn }>().get('trust proxy fn');
    return proxyaddr(req, this.trust);
  }

  /** X-Alpaca-Account on a request, when sent (the stream follows that account's orders only). */
  accountHeader(req: IncomingMessage): string | undefined {
    const value = req.headers[ACCOUNT_HEADER];
    return typeof value === 'string' ? value : undefined;
  }

  /** Credentials from upgrade headers, or null when there are none. */
  fromHeaders(req: IncomingMessage): PresentedCredentials | null {
    const authorization = req.headers['authorization'];
    const apiKey = req.headers['x-api-key'];
    if (typeof authorization === 'string') {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      return { token: match?.[1] ?? '' };
    }
    if (typeof apiKey === 'string') return { apiKey };
    return null;
  }

  /**
   * When the request's bearer token expires (ms since the epoch), or null (an API key): an SSE
   * stream, authenticated by the route's guard, ends then, as a WebSocket does (the same sweep).
   */
  tokenExpiryOf(req: IncomingMessage): number | null {
    const credentials = this.fromHeaders(req);
    const exp = credentials?.token === undefined ? null : tokenExpirySeconds(credentials.token);
    return exp === null ? null : exp * 1000;
  }

  /**
   * Verifies and binds the principal, then says `authenticated`. A refusal is returned for the
   * caller to send as an error message (through its reply rules) and to close with 4401.
   */
  async authenticate(
    session: StreamSession,
    credentials: PresentedCredentials,
    requestId: string | null,
  ): Promise<AppError | null> {
    const refused = await this.bind(session, credentials, { route: STREAM_ROUTE, path: '/api/v1/stream', requestId });
    if (refused === null && session.principal !== null) {
      session.control(
        OutboundMessage.of({ type: 'authenticated', subject: session.principal.sub, roles: session.principal.roles }),
      );
    }
    return refused;
  }

  /**
   * Verifies the credentials (refusals counted, locked out and audited as REST's, under `origin`'s
   * route) and binds the principal to the session (the per-principal connection cap); says nothing
   * to the client: each transport acknowledges in its own protocol. Returns the refusal, or null.
   */
  async bind(
    session: StreamSession,
    credentials: PresentedCredentials,
    origin: { route: string; path: string; requestId: string | null },
  ): Promise<AppError | null> {
    try {
      const { principal, expiresAtMs } = await this.verifier.verify(credentials, { client: session.client, ...origin });
      if (session.principal !== null && session.principal.sub !== principal.sub) {
        throw new AppError('INVALID_PARAMETER', {
          message: 'A connection keeps the principal it authenticated as; open another one.',
        });
      }
      this.hub.authenticate(session, principal, expiresAtMs);
      return null;
    } catch (e: unknown) {
      return e instanceof AppError ? e : new AppError('INTERNAL_SERVICE_ERROR', { cause: e });
    }
  }

  /**
   * Counts one more not yet authenticated WebSocket from the address, or refuses it (false) when the
   * address holds STREAM_MAX_UNAUTHENTICATED_PER_ADDRESS already: one count for every WebSocket path
   * (/api/v1/stream and the Alpaca-compatible face), so that more paths buy no more waiting sockets.
   */
  admitUnauthenticated(client: string): boolean {
    const waiting = this.waitingPerAddress.get(client) ?? 0;
    if (waiting >= this.config.stream.maxUnauthenticatedPerAddress) return false;
    this.waitingPerAddress.set(client, waiting + 1);
    return true;
  }

  /** The socket admitted by admitUnauthenticated authenticated or left. */
  releaseUnauthenticated(client: string): void {
    const left = (this.waitingPerAddress.get(client) ?? 1) - 1;
    if (left <= 0) this.waitingPerAddress.delete(client);
    else this.waitingPerAddress.set(client, left);
  }

  /**
   * ACCOUNT_NOT_ALLOWED when the session follows an account its key may no longer use (the key was
   * rebound): the connection closes, and a reconnect follows the accounts the key has now.
   */
  private accountWithdrawn(session: StreamSession, principal: Principal): AppError | null {
    // Only the orders channel carries an account's data.
    if (principal.keyId === null || !session.orders) return null;
    const allowed = accountsOf(
      { ...principal, accounts: this.verifier.currentAccounts(principal) },
      this.config.accounts,
    );
    const withdrawn = session.accounts.filter((a) => !allowed.includes(a));
    if (withdrawn.length === 0) return null;
    return new AppError('ACCOUNT_NOT_ALLOWED', {
      message: `This credential may no longer use the Alpaca account "${withdrawn[0] ?? ''}"; reconnect.`,
      details: { account: withdrawn[0] ?? null, allowed, header: 'X-Alpaca-Account', sent: false },
    });
  }

  private recheck(): void {
    const now = this.clock.now();
    const tolerance = this.config.jwt.clockToleranceSeconds * 1000;
    for (const session of this.hub.sessionsOf()) {
      const principal = session.principal;
      if (principal === null) continue;
      let problem: AppError | null;
      if (session.expiresAtMs !== null && now > session.expiresAtMs + tolerance) {
        problem = new AppError('INVALID_TOKEN', {
          message: 'The token expired; reconnect (or send an auth frame) with a new one.',
          details: { reason: 'jwt expired' },
        });
      } else {
        const reason = this.verifier.revalidate(principal);
        if (reason !== null)
          problem = new AppError(principal.kind === 'api_key' ? 'INVALID_API_KEY' : 'INVALID_TOKEN', {
            details: { reason },
          });
        else problem = this.accountWithdrawn(session, principal);
      }
      if (problem === null) continue;
      session.control(errorMessage(problem));
      session.close(CLOSE_CODES.authentication, problem.code);
    }
  }
}
