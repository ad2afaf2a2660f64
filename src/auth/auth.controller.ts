import { Controller, Header, HttpCode, Post } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiProperty, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AuditService } from '../audit/audit.service.js';
import { AppError } from '../core/errors/app-error.js';
import { ApiErrors } from '../core/errors/api-errors.decorator.js';
import { CurrentCaller, Roles } from '../core/identity/auth.decorators.js';
import type { Caller } from '../core/identity/caller.js';
import { TokenService, type IssuedToken } from './tokens/token.service.js';

class IssuedTokenDto implements IssuedToken {
  @ApiProperty({
    description:
      'HS256 JWT; send as Authorization: Bearer <token>. Valid while its API key is active with these roles.',
  })
  access_token!: string;
  @ApiProperty({ enum: ['Bearer'] }) token_type!: 'Bearer';
  @ApiProperty({ example: 3600 }) expires_in!: number;
  @ApiProperty({ type: [String], example: ['premium'] }) roles!: IssuedToken['roles'];
  @ApiProperty({
    type: [String],
    nullable: true,
    example: ['paper', 'live'],
    description: "The Alpaca accounts the token may use, its default first; null: the gateway's first account.",
  })
  accounts!: IssuedToken['accounts'];
  @ApiProperty({ format: 'uuid', description: 'The token id (`jti`), as recorded in the audit trail.' }) jti!: string;
}

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly tokens: TokenService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Authenticated by the global guard like any route (so a refused key is counted against its
   * client and the key's own rate tier applies), but only an API key may be exchanged: a token
   * for a token would outlive nothing and audit nothing new. So not `@Authenticated`, whose
   * Swagger marks offer a Bearer token too: the permission alone, and the API key as the one
   * credential in the document.
   */
  @Post('token')
  @Roles('token:issue')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: "Exchanges an API key (X-API-Key) for a JWT carrying the key's roles." })
  @ApiSecurity('api-key')
  @ApiHeader({ name: 'X-API-Key', required: true, description: 'An API key created with `npm run apikey -- create`.' })
  @ApiOkResponse({ type: IssuedTokenDto, description: 'Inside the success envelope: {data: {...}, metadata: {...}}.' })
  @ApiErrors('AUTHENTICATION_REQUIRED', 'INVALID_API_KEY', 'RATE_LIMIT_EXCEEDED')
  async token(@CurrentCaller() caller: Caller): Promise<IssuedToken & { jti: string }> {
    const principal = caller.principal;
    if (principal?.kind !== 'api_key') {
      throw new AppError('AUTHENTICATION_REQUIRED', {
        message: 'Send the API key in X-API-Key to obtain a token.',
        headers: { 'WWW-Authenticate': 'ApiKey realm="opitios-alpaca", header="X-API-Key"' },
      });
    }
    const token = this.tokens.issue(principal);
    await this.audit.recordBestEffort({
      action: 'token_issued',
      resource: `api_key:${principal.keyId ?? 'unknown'}`,
      outcome: 'issued',
      caller,
      details: { roles: token.roles, expires_in: token.expires_in, jti: token.jti },
    });
    return token;
  }
}
