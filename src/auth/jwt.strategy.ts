import { createSecretKey } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../core/config/app-config.js';
import { clientIp, type Principal } from './principal.js';
import { isRole } from './roles.js';

interface TokenClaims {
  sub?: unknown;
  roles?: unknown;
  key_id?: unknown;
}

/** Thrown from validate(): the signature was fine but the claims are not ours. */
export class InvalidClaimsError extends Error {}

/** passport-jwt: HS256 only (so `alg: none` and RS/HS confusion fail), issuer, audience, exp. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(config: AppConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject, not the string: jsonwebtoken otherwise tries to parse the secret as a PEM key
      // (and throws) on every verification, which was the single largest cost of a cached quote.
      // passport-jwt's types say string | Buffer; it hands the value to jsonwebtoken, which takes a KeyObject.
      secretOrKey: createSecretKey(Buffer.from(config.jwt.secret, 'utf8')) as unknown as string,
      algorithms: ['HS256'],
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: config.jwt.clockToleranceSeconds },
      passReqToCallback: true,
    });
  }

  validate(req: Request, claims: TokenClaims): Principal {
    const { sub, roles, key_id: keyId } = claims;
    if (typeof sub !== 'string' || sub === '' || !Array.isArray(roles) || roles.length === 0 || !roles.every(isRole)) {
      throw new InvalidClaimsError('token claims must carry sub and known roles');
    }
    return { kind: 'jwt', sub, roles, keyId: typeof keyId === 'string' ? keyId : null, ip: clientIp(req) };
  }
}
