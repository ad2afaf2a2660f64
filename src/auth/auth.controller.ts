import { Controller, Header, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiProperty, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AuditService } from '../audit/audit.service.js';
import { AppError } from '../core/errors/app-error.js';
import { ApiErrors } from '../core/errors/api-errors.decorator.js';
import { keyIdOf } from './api-key-store.js';
import { ApiKeyService } from './api-key.service.js';
import { Public } from './auth.decorators.js';
import { clientIp } from './principal.js';
import { TokenService, type IssuedToken } from './token.service.js';

class IssuedTokenDto implements IssuedToken {
  @ApiProperty({ description: 'HS256 JWT; send as Authorization: Bearer <token>.' }) access_token!: string;
  @ApiProperty({ enum: ['Bearer'] }) token_type!: 'Bearer';
  @ApiProperty({ example: 3600 }) expires_in!: number;
  @ApiProperty({ type: [String], example: ['premium'] }) roles!: IssuedToken['roles'];
}

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly apiKeys: ApiKeyService,
    private readonly tokens: TokenService,
    private readonly audit: AuditService,
  ) {}

  @Post('token')
  @Public()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: "Exchanges an API key (X-API-Key) for a JWT carrying the key's roles." })
  @ApiSecurity('api-key')
  @ApiHeader({ name: 'X-API-Key', required: true, description: 'An API key created with `npm run apikey -- create`.' })
  @ApiOkResponse({ type: IssuedTokenDto, description: 'Inside the success envelope: {data: {...}, metadata: {...}}.' })
  @ApiErrors('AUTHENTICATION_REQUIRED', 'INVALID_API_KEY', 'RATE_LIMIT_EXCEEDED')
  async token(@Headers('x-api-key') apiKey: string | undefined, @Req() req: Request): Promise<IssuedToken> {
    if (apiKey === undefined || apiKey === '') {
      throw new AppError('AUTHENTICATION_REQUIRED', {
        message: 'Send the API key in X-API-Key to obtain a token.',
        headers: { 'WWW-Authenticate': 'ApiKey realm="opitios-alpaca", header="X-API-Key"' },
      });
    }
    let principal;
    try {
      principal = await this.apiKeys.authenticate(apiKey, clientIp(req));
    } catch (e: unknown) {
      await this.audit.recordBestEffort({
        action: 'auth_failure',
        resource: 'route:POST /api/v1/auth/token',
        outcome: e instanceof AppError ? e.code : 'error',
        req,
        details: { credential: 'api_key', key_id: keyIdOf(apiKey) },
      });
      throw e;
    }
    const token = this.tokens.issue(principal);
    await this.audit.recordBestEffort({
      action: 'token_issued',
      resource: `api_key:${principal.keyId ?? 'unknown'}`,
      outcome: 'issued',
      req,
      principal,
      details: { roles: token.roles, expires_in: token.expires_in },
    });
    return token;
  }
}
