import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { AppConfig } from '../core/config/app-config.js';
import { AppError } from '../core/errors/app-error.js';
import { Clock } from '../core/time/clock.js';
import { AccessRefusalService, isFailedCredential } from './access-refusal.service.js';
import { APCA_KEY_ID_HEADER, APCA_SECRET_HEADER, apiKeyFromAlpacaHeaders } from './tokens/alpaca-credentials.js';
import { keyIdOf } from './api-keys/api-key-store.js';
import { ApiKeyService } from './api-keys/api-key.service.js';
import {
  IdentityProviderUnavailableError,
  identityProviderUnavailable,
  tokenExpirySeconds,
} from './tokens/jwt-keys.js';
import { InvalidClaimsError } from './tokens/jwt.strategy.js';
import { clientIp, setPrincipal, type Principal } from '../core/identity/principal.js';
import { ACCOUNT_HEADER, chooseAccount, setAccount } from '../core/identity/account.js';
import { RoutePolicies } from './route-policies.js';
import { LRUCache } from 'lru-cache';

const BEARER_CHALLENGE = 'Bearer realm="opitios-alpaca"';
const INVALID_TOKEN_CHALLENGE = 'Bearer realm="opitios-alpaca", error="invalid_token"';

function tokenProblem(err: unknown, info: unknown): string {
  if (err instanceof InvalidClaimsError) return err.message;
  if (info instanceof Error) {
    // passport-jwt/jsonwebtoken messages: "jwt expired", "jwt issuer invalid…", "invalid signature", …
    return info.message;
  }
  return 'token rejected';
}

/**
 * passport-jwt behind Nest's AuthGuard, turning every refusal into INVALID_TOKEN, except a token
 * that could not be checked because the identity provider's JWKS was out of reach (503).
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  override handleRequest<TUser = Principal>(err: unknown, user: unknown, info: unknown): TUser {
    // Anything but a refusal (a crashed strategy) is an internal error, not a bad token.
    if (err instanceof Error && !(err instanceof InvalidClaimsError)) throw err;
    // passport-jwt reports the key provider's failure as a refusal (info); this one is not the token's.
    if (info instanceof IdentityProviderUnavailableError) throw identityProviderUnavailable(info);
    if (err instanceof InvalidClaimsError || user === false || user === undefined || user === null) {
      throw new AppError('INVALID_TOKEN', {
        details: { reason: tokenProblem(err, info) },
        headers: { 'WWW-Authenticate': INVALID_TOKEN_CHALLENGE },
      });
    }
    return user as TUser;
  }
}

const MAX_VERIFIED_TOKENS = 10_000;

/**
 * Tokens whose signature, issuer and audience passport-jwt already accepted: those are facts of the
 * token string, so a repeat only needs its expiry checked again. Saves the full verification on
 * every request of a client that reuses its token (the common case). Bounded, least recently used out first.
 */
class VerifiedTokens {
  private readonly entries = new LRUCache<string, { principal: Principal; expiresAtMs: number }>({
    max: MAX_VERIFIED_TOKENS,
  });

  constructor(
    private readonly toleranceSeconds: number,
    private readonly clock: Clock,
  ) {}

  get(token: string): Principal | undefined {
    const e = this.entries.get(token);
    if (e === undefined) return undefined;
    if (this.clock.now() >= e.expiresAtMs + this.toleranceSeconds * 1000) {
      this.entries.delete(token);
      return undefined;
    }
    return e.principal;
  }

  remember(token: string, principal: Principal): void {
    const exp = tokenExpirySeconds(token);
    if (exp === null) return;
    this.entries.set(token, { principal, expiresAtMs: exp * 1000 });
  }
}

/**
 * The global authentication guard: a Bearer JWT or an API key (X-API-Key, or Alpaca's
 * APCA-API-KEY-ID + APCA-API-SECRET-KEY carrying a gateway key), else anonymous (viewer, only when
 * ALLOW_ANONYMOUS=true), else 401. Routes marked @Public() skip it. A token issued for an API key
 * holds only while that key is active with the token's roles (checked on every request, also for
 * remembered tokens).
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly policies: RoutePolicies,
    private readonly jwtGuard: JwtAuthGuard,
    private readonly apiKeys: ApiKeyService,
    private readonly config: AppConfig,
    private readonly refusals: AccessRefusalService,
    clock: Clock,
  ) {
    this.verified = new VerifiedTokens(config.jwt.clockToleranceSeconds, clock);
  }

  private readonly verified: VerifiedTokens;

  /**
   * Synchronous when the answer is known at once (a token verified before, anonymous access, a
   * malformed header); a promise when a signature has to be checked or a refusal counted.
   */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.policies.of(context).isPublic) return true;
    const req = context.switchToHttp().getRequest<Request>();
    let outcome: boolean | Promise<boolean>;
    try {
      outcome = this.authenticate(context, req);
    } catch (e: unknown) {
      return this.refuse(req, e);
    }
    return outcome instanceof Promise ? outcome.catch((e: unknown) => this.refuse(req, e)) : outcome;
  }

  /**
   * Presented-but-refused credentials (401) are counted and audited; a request with none is simply
   * refused, and a credential that could not be checked (503 IDENTITY_PROVIDER_UNAVAILABLE) is no
   * refusal: not the client's fault, so it never brings the client nearer a lockout.
   */
  private async refuse(req: Request, e: unknown): Promise<never> {
    const apiKey = req.header('x-api-key') ?? req.header(APCA_SECRET_HEADER);
    const presented =
      req.header('authorization') !== undefined
        ? 'bearer'
        : apiKey !== undefined || req.header(APCA_KEY_ID_HEADER) !== undefined
          ? 'api_key'
          : null;
    if (presented === null || !isFailedCredential(e)) throw e;
    throw await this.refusals.refuse(req, e, {
      action: 'auth_failure',
      details: {
        credential: presented,
        key_id: presented === 'api_key' && apiKey !== undefined ? keyIdOf(apiKey) : null,
        reason: typeof e.details['reason'] === 'string' ? e.details['reason'].slice(0, 200) : null,
      },
    });
  }

  private authenticate(context: ExecutionContext, req: Request): boolean | Promise<boolean> {
    const authorization = req.header('authorization');
    // X-API-Key, or the same key in Alpaca's two headers (what Alpaca's SDKs send).
    const apiKey =
      req.header('x-api-key') ??
      apiKeyFromAlpacaHeaders(req.header(APCA_KEY_ID_HEADER), req.header(APCA_SECRET_HEADER));

    if (authorization !== undefined) {
      if (!/^Bearer\s+\S+$/i.test(authorization)) {
        throw new AppError('INVALID_TOKEN', {
          details: { reason: 'Authorization must be "Bearer <token>"' },
          headers: { 'WWW-Authenticate': INVALID_TOKEN_CHALLENGE },
        });
      }
      const token = authorization.replace(/^Bearer\s+/i, '');
      const known = this.verified.get(token);
      if (known !== undefined) {
        this.assertBinding(known);
        this.admit(req, this.withKeyPolicy({ ...known, ip: clientIp(req) }));
        return true;
      }
      return this.verifyToken(context, req, token);
    }
    if (apiKey !== undefined) {
      this.admit(req, this.apiKeys.authenticate(apiKey, clientIp(req)));
      return true;
    }
    if (this.config.allowAnonymous) {
      this.admit(req, { kind: 'anonymous', sub: 'anonymous', roles: ['viewer'], keyId: null, ip: clientIp(req) });
      return true;
    }
    throw new AppError('AUTHENTICATION_REQUIRED', { headers: { 'WWW-Authenticate': BEARER_CHALLENGE } });
  }

  /** A token issued for an API key dies with the key (revoked, removed, or its roles lowered). */
  private assertBinding(principal: Principal): void {
    if (principal.keyId === null) return;
    const problem = this.apiKeys.bindingProblem(principal.keyId, principal.roles);
    if (problem !== null) {
      throw new AppError('INVALID_TOKEN', {
        details: { reason: problem },
        headers: { 'WWW-Authenticate': INVALID_TOKEN_CHALLENGE },
      });
    }
  }

  /**
   * A token issued for an API key trades under the key's risk policy and on the key's accounts as
   * they are now (the key file is re-read): narrowing a key's accounts narrows its tokens at once.
   */
  private withKeyPolicy(principal: Principal): Principal {
    if (principal.keyId === null) return principal;
    const { riskPolicy, accounts } = this.apiKeys.bindingOf(principal.keyId);
    return { ...principal, riskPolicy, accounts };
  }

  private async verifyToken(context: ExecutionContext, req: Request, token: string): Promise<true> {
    await this.jwtGuard.canActivate(context);
    const principal = req.user as Principal;
    this.assertBinding(principal);
    this.verified.remember(token, principal);
    this.admit(req, this.withKeyPolicy(principal));
    return true;
  }

  /**
   * The principal, and the Alpaca account the request acts on (X-Alpaca-Account, else its first):
   * an account it may not use is 403 ACCOUNT_NOT_ALLOWED here, before any handler runs.
   */
  private admit(req: Request, principal: Principal): void {
    setPrincipal(req, principal);
    setAccount(req, chooseAccount(principal, req.header(ACCOUNT_HEADER), this.config.accounts));
  }
}
