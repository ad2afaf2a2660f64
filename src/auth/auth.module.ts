import { AuditModule } from '../audit/audit.module.js';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { AccessRefusalService } from './access-refusal.service.js';
import { ApiKeyService } from './api-keys/api-key.service.js';
import { AuthLockoutService } from './limits/auth-lockout.service.js';
import { AuthController } from './auth.controller.js';
import { CredentialVerifier } from './tokens/credential-verifier.service.js';
import { AuthenticationGuard, JwtAuthGuard } from './authentication.guard.js';
import { CountersModule } from './limits/counters.module.js';
import { JwtKeyResolver } from './tokens/jwt-keys.js';
import { JwtStrategy } from './tokens/jwt.strategy.js';
import { RateLimitGuard } from './limits/rate-limit.guard.js';
import { RateLimiter } from './limits/rate-limiter.js';
import { RolesGuard } from './roles.guard.js';
import { RoutePolicies } from './route-policies.js';
import { TokenService } from './tokens/token.service.js';

/**
 * Authentication (JWT or API key), roles, and per-principal rate limiting, as global guards in
 * that order: the limiter keys by the principal the first guard established.
 */
@Module({
  imports: [PassportModule, JwtModule.register({}), CountersModule, AuditModule],
  controllers: [AuthController],
  providers: [
    JwtKeyResolver,
    JwtStrategy,
    JwtAuthGuard,
    AccessRefusalService,
    CredentialVerifier,
    RateLimiter,
    ApiKeyService,
    AuthLockoutService,
    TokenService,
    RoutePolicies,
    { provide: APP_GUARD, useClass: AuthenticationGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
  exports: [CredentialVerifier],
})
export class AuthModule {}
