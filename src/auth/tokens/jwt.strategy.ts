import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../../core/config/app-config.js';
import { Clock } from '../../core/time/clock.js';
import { JwtKeyResolver, type TokenIssuerFamily } from './jwt-keys.js';
import { clientIp, type Principal } from '../../core/identity/principal.js';
import { isRole, type Role } from '../../core/identity/roles.js';
import { isAccountList } from '../../core/config/alpaca-accounts.js';

interface TokenClaims {
  sub?: unknown;
  roles?: unknown;
  key_id?: unknown;
  iss?: unknown;
  aud?: unknown;
  exp?: unknown;
  iat?: unknown;
  nbf?: unknown;
  [claim: string]: unknown;
}

/** Thrown from validate(): the signature was fine but the claims are not acceptable. */
export class InvalidClaimsError extends Error {}

/**
 * The `accounts` claim: an array of account names, or one space-separated string (as scopes are
 * written); absent: unbound (the first configured account). Anything else refuses the token.
 */
function accountsClaim(raw: unknown): string[] | null {
  if (raw === undefined || raw === null) return null;
  const names = typeof raw === 'string' ? raw.split(' ').filter((n) => n !== '') : raw;
  if (!isAccountList(names)) throw new InvalidClaimsError('token accounts must name accounts (a-z 0-9 _)');
  return names;
}

/** Which key family verified the request's token (set by the key provider, read by validate). */
const familyOf = new WeakMap<Request, TokenIssuerFamily>();

function audienceMatches(aud: unknown, expected: string): boolean {
  return aud === expected || (Array.isArray(aud) && aud.includes(expected));
}

function claimAt(claims: TokenClaims, path: string): unknown {
  let node: unknown = claims;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/**
 * passport-jwt with a key per token (JwtKeyResolver: our HS256 keys by kid, or the identity
 * provider's JWKS), then the checks jsonwebtoken leaves to us: `exp` required, `iat` not in the
 * future, a lifetime no longer than JWT_MAX_TTL_SECONDS, and issuer/audience of the family that
 * signed the token (ours for HS256, the identity provider's for RS256/ES256). `exp` and `nbf`
 * are checked here too, against the gateway's Clock (jsonwebtoken would read the system time),
 * with jsonwebtoken's rules and messages ("jwt expired", "jwt not active").
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    private readonly config: AppConfig,
    keys: JwtKeyResolver,
    private readonly clock: Clock,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: (
        req: Request,
        rawJwtToken: string,
        done: (err: Error | null, key?: string) => void,
      ): void => {
        keys.resolve(rawJwtToken).then(
          ({ key, family }) => {
            familyOf.set(req, family);
            // passport-jwt's types say string | Buffer; it hands the key to jsonwebtoken, which takes a KeyObject.
            done(null, key as unknown as string);
          },
          (e: unknown) => done(e instanceof Error ? e : new Error(String(e))),
        );
      },
      algorithms: keys.algorithms(),
      // Both checked in checkTimes() against the injected clock.
      ignoreExpiration: true,
      jsonWebTokenOptions: { ignoreNotBefore: true },
      passReqToCallback: true,
    });
  }

  validate(req: Request, claims: TokenClaims): Principal {
    const family = familyOf.get(req);
    if (family === undefined) throw new InvalidClaimsError('token verified by no known key');
    this.checkTimes(claims);
    return family === 'gateway' ? this.gatewayPrincipal(req, claims) : this.identityProviderPrincipal(req, claims);
  }

  private checkTimes({ exp, iat, nbf }: TokenClaims): void {
    const { clockToleranceSeconds: tolerance, maxTtlSeconds } = this.config.jwt;
    const now = Math.floor(this.clock.now() / 1000);
    if (typeof exp !== 'number') throw new InvalidClaimsError('token has no exp; every token must expire');
    if (now >= exp + tolerance) throw new InvalidClaimsError('jwt expired');
    if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now + tolerance))
      throw new InvalidClaimsError(typeof nbf === 'number' ? 'jwt not active' : 'invalid nbf value');
    if (iat !== undefined && (typeof iat !== 'number' || iat > now + tolerance))
      throw new InvalidClaimsError('token iat is in the future');
    const start = typeof iat === 'number' ? iat : typeof nbf === 'number' ? nbf : now;
    if (exp - start > maxTtlSeconds + tolerance)
      throw new InvalidClaimsError(`token lifetime exceeds the maximum of ${maxTtlSeconds} s`);
  }

  private gatewayPrincipal(req: Request, claims: TokenClaims): Principal {
    const { issuer, audience } = this.config.jwt;
    if (claims.iss !== issuer) throw new InvalidClaimsError('jwt issuer invalid');
    if (!audienceMatches(claims.aud, audience)) throw new InvalidClaimsError('jwt audience invalid');
    const { sub, roles, key_id: keyId } = claims;
    if (typeof sub !== 'string' || sub === '' || !Array.isArray(roles) || roles.length === 0 || !roles.every(isRole)) {
      throw new InvalidClaimsError('token claims must carry sub and known roles');
    }
    if (keyId !== undefined && keyId !== null && typeof keyId !== 'string')
      throw new InvalidClaimsError('token key_id must be a string');
    return {
      kind: 'jwt',
      sub,
      roles,
      keyId: typeof keyId === 'string' ? keyId : null,
      ip: clientIp(req),
      accounts: accountsClaim(claims['accounts']),
    };
  }

  private identityProviderPrincipal(req: Request, claims: TokenClaims): Principal {
    const jwks = this.config.jwt.jwks;
    if (jwks === null) throw new InvalidClaimsError('identity provider tokens are not accepted');
    if (claims.iss !== jwks.issuer) throw new InvalidClaimsError('jwt issuer invalid');
    if (!audienceMatches(claims.aud, jwks.audience)) throw new InvalidClaimsError('jwt audience invalid');
    if (typeof claims.sub !== 'string' || claims.sub === '') throw new InvalidClaimsError('token has no sub');
    const raw = claimAt(claims, jwks.rolesClaim);
    const names =
      typeof raw === 'string'
        ? raw.split(' ')
        : Array.isArray(raw)
          ? raw.filter((r): r is string => typeof r === 'string')
          : [];
    const mapped = jwks.roleMap === null ? names : names.map((n) => jwks.roleMap?.get(n));
    const roles = [...new Set(mapped.filter((r): r is Role => r !== undefined && isRole(r)))];
    if (roles.length === 0) throw new InvalidClaimsError(`token grants no gateway role in "${jwks.rolesClaim}"`);
    return {
      kind: 'jwt',
      sub: `idp:${claims.sub}`,
      roles,
      keyId: null,
      ip: clientIp(req),
      accounts: accountsClaim(claims['accounts']),
    };
  }
}
