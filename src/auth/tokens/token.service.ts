import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '../../core/config/app-config.js';
import type { Principal } from '../../core/identity/principal.js';
import type { Role } from '../../core/identity/roles.js';

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  roles: Role[];
  /** The accounts the token may use, its default first; null: unbound (the first configured account). */
  accounts: readonly string[] | null;
}

/** Issues HS256 tokens carrying the API key's roles (exchanged at POST /auth/token). */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Signed with the newest key (its kid in the header); `key_id` binds the token to the API key it
   * came from, so revoking that key (or lowering its roles) invalidates the token too; `jti` names
   * it in the audit trail.
   */
  issue(principal: Principal): IssuedToken & { jti: string } {
    const { issuer, audience, ttlSeconds, keys } = this.config.jwt;
    const signing = keys[0];
    if (signing === undefined) throw new Error('no JWT signing key configured');
    const jti = randomUUID();
    const token = this.jwt.sign(
      {
        roles: principal.roles,
        key_id: principal.keyId,
        // The accounts the key may use now; a request with the token re-reads the key's (so a narrowed key narrows it).
        ...(principal.accounts === undefined || principal.accounts === null ? {} : { accounts: principal.accounts }),
      },
      {
        subject: principal.sub,
        issuer,
        audience,
        expiresIn: ttlSeconds,
        algorithm: 'HS256',
        secret: signing.secret,
        keyid: signing.kid,
        jwtid: jti,
      },
    );
    return {
      access_token: token,
      token_type: 'Bearer',
      expires_in: ttlSeconds,
      roles: principal.roles,
      accounts: principal.accounts ?? null,
      jti,
    };
  }
}
