import { z } from 'zod';
import {
  addProblem,
  ALWAYS,
  atLeast,
  int,
  matchingOr,
  optionalText,
  optionalUrl,
  Refusal,
  text,
  variable,
} from './fields.js';

/** The kid JWT_SECRET's tokens carry (and tokens without a kid are checked against). */
export const DEFAULT_JWT_KID = 'default';

/** One HS256 key; `kid` goes into the header of tokens signed with it. */
export interface JwtSigningKey {
  kid: string;
  secret: string;
}

const KID_SECRET_PAIRS = /^[A-Za-z0-9._-]{1,64}:[^,\s]{32,}(,[A-Za-z0-9._-]{1,64}:[^,\s]{32,})*$/;

/** `kid:secret,kid:secret`, in order; each kid once. */
function readJwtSecrets(text: string): JwtSigningKey[] | Refusal {
  if (!KID_SECRET_PAIRS.test(text)) {
    return new Refusal(
      'must be comma-separated kid:secret pairs (kid: letters, digits, . _ -; secret: at least 32 characters, no comma or space)',
    );
  }
  const keys = text.split(',').map((pair) => {
    const at = pair.indexOf(':');
    return { kid: pair.slice(0, at), secret: pair.slice(at + 1) };
  });
  return new Set(keys.map((k) => k.kid)).size === keys.length ? keys : new Refusal('each kid may appear once');
}

const ROLE_PAIRS = /^[^=,\s]+=(viewer|premium|trader|admin)(,[^=,\s]+=(viewer|premium|trader|admin))*$/;

function readRoleMap(text: string): ReadonlyMap<string, string> | Refusal {
  if (!ROLE_PAIRS.test(text))
    return new Refusal(
      'must be comma-separated idp_role=gateway_role pairs (gateway roles: viewer, premium, trader, admin)',
    );
  return new Map(text.split(',').map((pair) => pair.split('=') as [string, string]));
}

/** Tokens: the gateway's own HS256 keys, lifetimes, and an identity provider's JWKS. */
export const jwtSection = z
  .object({
    /** HS256 signing key (kid `default`). Required unless JWT_SECRETS is set; a short one is refused rather than silently accepted. */
    JWT_SECRET: atLeast(32),
    /**
     * Rotation: `kid:secret` pairs, comma-separated, newest first. New tokens are signed with the
     * first and carry its kid; a token is verified with the key its kid names, so removing a pair
     * rotates that key out. JWT_SECRET, when also set, stays valid as kid `default`.
     */
    JWT_SECRETS: variable<JwtSigningKey[] | undefined>(readJwtSecrets, undefined),
    JWT_ISSUER: text('opitios-alpaca'),
    JWT_AUDIENCE: text('opitios-alpaca-api'),
    /** Lifetime of tokens issued by POST /auth/token. */
    JWT_TTL_SECONDS: int(3600, 60, 86400),
    /** Longest lifetime a token may have (exp - iat); longer ones are refused, whoever signed them. */
    JWT_MAX_TTL_SECONDS: int(86400, 60, 2592000),
    /** Tolerated clock difference when checking `exp`/`nbf`/`iat`. */
    JWT_CLOCK_TOLERANCE_SECONDS: int(30, 0, 300),
    /** Identity provider tokens (RS256/ES256) verified with the keys this JWKS URL serves. */
    JWT_JWKS_URL: optionalUrl(),
    /** Required with JWT_JWKS_URL: the `iss` the identity provider writes. */
    JWT_JWKS_ISSUER: optionalText(),
    /** Required with JWT_JWKS_URL: the `aud` this gateway is known by at the identity provider. */
    JWT_JWKS_AUDIENCE: optionalText(),
    /** Where the roles are in an identity provider's token: a claim name or a dotted path (realm_access.roles). */
    JWT_JWKS_ROLES_CLAIM: matchingOr(
      'roles',
      /^[A-Za-z0-9_:-]+(\.[A-Za-z0-9_:-]+)*$/,
      'must be a claim name or a dotted path',
    ),
    /** Identity provider role → gateway role (`idp-trader=trader,idp-ro=viewer`); unmapped roles are ignored. Unset: names are taken as they are. */
    JWT_JWKS_ROLE_MAP: variable<ReadonlyMap<string, string> | null>(readRoleMap, null),
  })
  .superRefine((v, ctx) => {
    if (v.JWT_SECRET === undefined && v.JWT_SECRETS === undefined)
      addProblem(ctx, 'rule', 'required unless JWT_SECRETS is set', 'JWT_SECRET');
    if (v.JWT_TTL_SECONDS > v.JWT_MAX_TTL_SECONDS)
      addProblem(ctx, 'rule', 'must not exceed JWT_MAX_TTL_SECONDS', 'JWT_TTL_SECONDS');
    if (v.JWT_JWKS_URL !== undefined && (v.JWT_JWKS_ISSUER === undefined || v.JWT_JWKS_AUDIENCE === undefined)) {
      addProblem(
        ctx,
        'rule',
        'needs JWT_JWKS_ISSUER and JWT_JWKS_AUDIENCE (tokens are checked against both)',
        'JWT_JWKS_URL',
      );
    }
  }, ALWAYS)
  .transform((v) => {
    // JWT_SECRETS (newest first), then JWT_SECRET as kid `default`.
    const keys: JwtSigningKey[] = [...(v.JWT_SECRETS ?? [])];
    if (v.JWT_SECRET !== undefined && !keys.some((k) => k.kid === DEFAULT_JWT_KID))
      keys.push({ kid: DEFAULT_JWT_KID, secret: v.JWT_SECRET });
    const jwks =
      v.JWT_JWKS_URL === undefined || v.JWT_JWKS_ISSUER === undefined || v.JWT_JWKS_AUDIENCE === undefined
        ? null
        : {
            url: v.JWT_JWKS_URL,
            issuer: v.JWT_JWKS_ISSUER,
            audience: v.JWT_JWKS_AUDIENCE,
            rolesClaim: v.JWT_JWKS_ROLES_CLAIM,
            roleMap: v.JWT_JWKS_ROLE_MAP,
          };
    return {
      jwt: {
        /** Every HS256 key that verifies; the first one signs new tokens. */
        keys,
        issuer: v.JWT_ISSUER,
        audience: v.JWT_AUDIENCE,
        ttlSeconds: v.JWT_TTL_SECONDS,
        maxTtlSeconds: v.JWT_MAX_TTL_SECONDS,
        clockToleranceSeconds: v.JWT_CLOCK_TOLERANCE_SECONDS,
        /** An identity provider whose RS256/ES256 tokens are accepted (keys from its JWKS URL); roleMap null: role names taken as they are. */
        jwks,
      },
    };
  });
