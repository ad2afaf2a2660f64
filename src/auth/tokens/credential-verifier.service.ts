import { Injectable } from '@nestjs/common';
import passport from 'passport';
import { AppError } from '../../core/errors/app-error.js';
import { AccessRefusalService, isFailedCredential } from '../access-refusal.service.js';
import { apiKeyFromAlpacaHeaders } from './alpaca-credentials.js';
import { keyIdOf } from '../api-keys/api-key-store.js';
import { ApiKeyService } from '../api-keys/api-key.service.js';
import { IdentityProviderUnavailableError, identityProviderUnavailable, tokenExpirySeconds } from './jwt-keys.js';
import { InvalidClaimsError } from './jwt.strategy.js';
import type { Principal } from '../../core/identity/principal.js';

/** Credentials as a stream client presents them: upgrade headers, or an `auth` frame. */
export interface PresentedCredentials {
  token?: string;
  apiKey?: string;
  /**
   * The key id presented beside the key (the Alpaca-compatible face: `APCA-API-KEY-ID`, or `key`
   * of an auth frame): it must be the id inside `apiKey`, else the key is refused like a wrong one.
   */
  keyId?: string;
}

export interface VerifiedPrincipal {
  principal: Principal;
  /** When the token expires (ms since the epoch); null for API keys. */
  expiresAtMs: number | null;
}

/** Where the credentials came from, for the refusal count and the audit trail. */
export interface CredentialOrigin {
  client: string;
  /** e.g. `WS /api/v1/stream`. */
  route: string;
  path: string;
  requestId: string | null;
}

const MS_PER_SECOND = 1000;
const TOKEN_CHALLENGE = 'Bearer realm="opitios-alpaca", error="invalid_token"';

/**
 * Authentication for transports that are not Express routes (the client stream): the same checks
 * as the HTTP guard (passport-jwt with the same strategy, API keys, a token's tie to its key),
 * the same refusal accounting (per client address, lockout, audit in aggregate).
 */
@Injectable()
export class CredentialVerifier {
  constructor(
    private readonly apiKeys: ApiKeyService,
    private readonly refusals: AccessRefusalService,
  ) {}

  async verify(credentials: PresentedCredentials, origin: CredentialOrigin): Promise<VerifiedPrincipal> {
    try {
      if (credentials.token !== undefined) {
        const verified = await this.verifyToken(credentials.token, origin.client);
        // A token issued for a key follows the key's accounts as they are now, as on REST.
        const principal = { ...verified, accounts: this.currentAccounts(verified) };
        const exp = tokenExpirySeconds(credentials.token);
        return { principal, expiresAtMs: exp === null ? null : exp * MS_PER_SECOND };
      }
      if (credentials.apiKey !== undefined) {
        // Alpaca's pair (key id + whole key) is held to the REST guard's rule: the id must be the key's own.
        const apiKey =
          credentials.keyId === undefined
            ? credentials.apiKey
            : (apiKeyFromAlpacaHeaders(credentials.keyId, credentials.apiKey) ?? credentials.apiKey);
        return { principal: this.apiKeys.authenticate(apiKey, origin.client), expiresAtMs: null };
      }
    } catch (e: unknown) {
      if (!isFailedCredential(e)) throw e;
      const presented = credentials.token !== undefined ? 'bearer' : 'api_key';
      throw await this.refusals.refuseClient(origin, e, {
        action: 'auth_failure',
        details: {
          credential: presented,
          key_id: credentials.apiKey === undefined ? null : keyIdOf(credentials.apiKey),
          reason: typeof e.details['reason'] === 'string' ? e.details['reason'].slice(0, 200) : null,
        },
      });
    }
    throw new AppError('AUTHENTICATION_REQUIRED', {
      message: 'Send Authorization: Bearer <token> or X-API-Key, or an auth frame.',
    });
  }

  /**
   * The Alpaca accounts an API key's principal (the key, or a token issued for it) may use as the key
   * file says now: a narrowed key narrows its connections too (as withKeyPolicy does for REST).
   * A principal of no key keeps what it authenticated with.
   */
  currentAccounts(principal: Principal): readonly string[] | null | undefined {
    return principal.keyId === null ? principal.accounts : this.apiKeys.bindingOf(principal.keyId).accounts;
  }

  /** Why an authenticated principal no longer holds (its API key revoked or its roles lowered), or null. */
  revalidate(principal: Principal): string | null {
    if (principal.keyId === null) return null;
    return this.apiKeys.bindingProblem(
      principal.keyId,
      principal.roles,
      principal.kind === 'api_key' ? 'connection' : 'token',
    );
  }

  private verifyToken(token: string, client: string): Promise<Principal> {
    // The object passport-jwt reads: the header it extracts the token from, and the client address.
    const req = { headers: { authorization: `Bearer ${token}` }, ip: client, socket: { remoteAddress: client } };
    return new Promise<Principal>((resolve, reject) => {
      const refuse = (reason: string): void =>
        reject(
          new AppError('INVALID_TOKEN', { details: { reason }, headers: { 'WWW-Authenticate': TOKEN_CHALLENGE } }),
        );
      const authenticate = passport.authenticate(
        'jwt',
        { session: false },
        (err: unknown, user: Principal | false, info: unknown) => {
          if (err instanceof InvalidClaimsError) return refuse(err.message);
          if (err !== null && err !== undefined)
            return reject(err instanceof Error ? err : new Error('passport failed without an Error'));
          if (info instanceof IdentityProviderUnavailableError) return reject(identityProviderUnavailable(info));
          if (user === false) return refuse(info instanceof Error ? info.message : 'token rejected');
          const problem = user.keyId === null ? null : this.apiKeys.bindingProblem(user.keyId, user.roles);
          if (problem !== null) return refuse(problem);
          resolve(user);
        },
      ) as (req: object, res: object, next: (e?: unknown) => void) => void;
      authenticate(req, {}, (e?: unknown) => reject(e instanceof Error ? e : new Error('passport did not answer')));
    });
  }
}
