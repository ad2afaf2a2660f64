import { AuditModule } from '../audit/audit.module.js';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { AccessRefusalService } from './access-refusal.service.js';
import { ApiKeyService } from './api-key.service.js';
import { AuthLockoutService } from './auth-lockout.service.js';
import { AuthController } from './auth.controller.js';
import { CredentialVerifier } from './credential-verifier.service.js';
import { AuthenticationGuard, JwtAuthGuard } from './authentication.guard.js';
import { CountersModule } from './counters.module.js';
import { JwtKeyResolver } from './jwt-keys.js';
import { JwtStrategy } from './jwt.strategy.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { RateLimiter } from './rate-limiter.js';
import { RolesGuard } from './roles.guard.js';
import { RoutePolicies } from './route-policies.js';
import { TokenService } from './token.service.js';

/**
 * Authentication (JWT or API key), roles, and per-principal rate limiting, as global guards in
 * that order: the limiter keys by the principal the first guard established.
 */
@Module({
  imports: [
    PassportModule,
    JwtModule.register({}),
    CountersModule,
    AuditModule,
  ],
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
