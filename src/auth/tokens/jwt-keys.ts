import { createSecretKey, KeyObject } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { createRemoteJWKSet, errors as joseErrors, type JWTVerifyGetKey } from 'jose';
import { AppConfig, type JwksConfig } from '../../core/config/app-config.js';
import { DEFAULT_JWT_KID } from '../../core/config/validate-config.js';
import { AppError } from '../../core/errors/app-error.js';

/** Who vouches for a token: our own HS256 keys, or the configured identity provider's JWKS. */
export type TokenIssuerFamily = 'gateway' | 'identity_provider';

export interface ResolvedKey {
  key: KeyObject;
  family: TokenIssuerFamily;
}

/** Algorithms accepted from an identity provider; HS256 only ever with our own secrets. */
export const IDP_ALGORITHMS = ['RS256', 'ES256'] as const;
const JWKS_TIMEOUT_MS = 2000;
/** A kid the JWKS does not list triggers a refetch at most this often (key rotation at the provider). */
const JWKS_COOLDOWN_MS = 30_000;
const JWKS_MAX_AGE_MS = 600_000;
/** What a client is told to wait when the JWKS cannot be had: a little more than one fetch's timeout. */
const IDENTITY_PROVIDER_RETRY_AFTER_SECONDS = 5;

export class TokenKeyError extends Error {}

/**
 * The identity provider's JWKS could not be had (connection refused, timeout, a non-200, a body
 * that is not a key set), so the token could not be checked at all. Not the token's fault: answered
 * 503 IDENTITY_PROVIDER_UNAVAILABLE (see `identityProviderUnavailable`), never counted as a failed
 * credential.
 */
export class IdentityProviderUnavailableError extends Error {}

/** The one answer to an IdentityProviderUnavailableError, for every transport. */
export function identityProviderUnavailable(cause: IdentityProviderUnavailableError): AppError {
  return new AppError('IDENTITY_PROVIDER_UNAVAILABLE', { retryAfter: IDENTITY_PROVIDER_RETRY_AFTER_SECONDS, cause });
}

/**
 * jose's JWKS errors that are about the token (no key, or several, for its kid and algorithm, in a
 * set that was read: jose refetches first unless it fetched within the cooldown) stay refusals of
 * the token; any other failure happened fetching or reading the set.
 */
function jwksFailure(e: unknown): Error {
  if (e instanceof joseErrors.JWKSNoMatchingKey || e instanceof joseErrors.JWKSMultipleMatchingKeys)
    return new TokenKeyError(e.message);
  const what = e instanceof joseErrors.JWKSTimeout ? 'timed out' : e instanceof Error ? e.message : String(e);
  return new IdentityProviderUnavailableError(`the identity provider's JWKS could not be fetched: ${what}`, {
    cause: e,
  });
}

interface TokenHeader {
  alg?: unknown;
  kid?: unknown;
}

function headerOf(token: string): TokenHeader {
  const part = token.split('.')[0] ?? '';
  try {
    const parsed: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new TokenKeyError('the token header is not a JSON object');
    return parsed;
  } catch (e: unknown) {
    if (e instanceof TokenKeyError) throw e;
    throw new TokenKeyError('the token header is not readable');
  }
}

/**
 * `exp` (seconds since the epoch) of a token passport-jwt already accepted, or null when it has
 * none or its payload cannot be read (cannot happen once accepted; null is the safe answer then).
 */
export function tokenExpirySeconds(token: string): number | null {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      exp?: unknown;
    };
    return typeof payload.exp === 'number' ? payload.exp : null;
  } catch {
    // A token passport-jwt accepted always has a readable payload; a caller then treats it as unknown.
    return null;
  }
}

/**
 * Picks the key that may verify a token, from its header: `HS256` tokens only with one of our
 * secrets, chosen by `kid` (no kid: the `default` key, i.e. JWT_SECRET), so a key removed from
 * JWT_SECRETS no longer verifies anything; `RS256`/`ES256` only with a key from the identity
 * provider's JWKS (jose fetches and caches it). The algorithm thus decides the key family before
 * any signature is checked, and jsonwebtoken additionally refuses a key of the wrong type.
 */
@Injectable()
export class JwtKeyResolver {
  private readonly secrets: ReadonlyMap<string, KeyObject>;
  private readonly jwks: JWTVerifyGetKey | null;

  constructor(config: AppConfig) {
    // KeyObjects, not strings: jsonwebtoken otherwise tries to parse each secret as a PEM key on
    // every verification.
    this.secrets = new Map(config.jwt.keys.map((k) => [k.kid, createSecretKey(Buffer.from(k.secret, 'utf8'))]));
    this.jwks = config.jwt.jwks === null ? null : remoteKeySet(config.jwt.jwks);
  }

  /** Algorithms passport-jwt may accept at all. */
  algorithms(): Array<'HS256' | (typeof IDP_ALGORITHMS)[number]> {
    return this.jwks === null ? ['HS256'] : ['HS256', ...IDP_ALGORITHMS];
  }

  async resolve(token: string): Promise<ResolvedKey> {
    const header = headerOf(token);
    if (header.alg === 'HS256') {
      if (header.kid !== undefined && typeof header.kid !== 'string')
        throw new TokenKeyError('the token kid is not a string');
      const kid = header.kid ?? DEFAULT_JWT_KID;
      const key = this.secrets.get(kid);
      if (key === undefined) throw new TokenKeyError(`signing key "${kid.slice(0, 64)}" is unknown or was rotated out`);
      return { key, family: 'gateway' };
    }
    if (this.jwks !== null && (IDP_ALGORITHMS as readonly unknown[]).includes(header.alg)) {
      let key: Awaited<ReturnType<JWTVerifyGetKey>>;
      try {
        key = await this.jwks(
          { alg: header.alg as string, kid: typeof header.kid === 'string' ? header.kid : undefined },
          { payload: '', signature: '' },
        );
      } catch (e: unknown) {
        throw jwksFailure(e);
      }
      if (key instanceof KeyObject) return { key, family: 'identity_provider' };
      if (key instanceof Uint8Array || !('usages' in key))
        throw new TokenKeyError('the identity provider served a key of an unusable kind');
      return { key: KeyObject.from(key), family: 'identity_provider' };
    }
    throw new TokenKeyError(`algorithm ${JSON.stringify(header.alg ?? null).slice(0, 20)} is not accepted`);
  }
}

function remoteKeySet(jwks: JwksConfig): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(jwks.url), {
    timeoutDuration: JWKS_TIMEOUT_MS,
    cooldownDuration: JWKS_COOLDOWN_MS,
    cacheMaxAge: JWKS_MAX_AGE_MS,
  });
}
