import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '../core/config/app-config.js';
import type { Principal } from './principal.js';
import type { Role } from './roles.js';

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  roles: Role[];
}

/** Issues HS256 tokens carrying the API key's roles (exchanged at POST /auth/token). */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  issue(principal: Principal): IssuedToken {
    const { issuer, audience, ttlSeconds, secret } = this.config.jwt;
    const token = this.jwt.sign(
      { roles: principal.roles, key_id: principal.keyId },
      { subject: principal.sub, issuer, audience, expiresIn: ttlSeconds, algorithm: 'HS256', secret },
    );
    return { access_token: token, token_type: 'Bearer', expires_in: ttlSeconds, roles: principal.roles };
  }
}
