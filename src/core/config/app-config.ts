import type { ConfigValues } from './sections/index.js';
import { providerFor, tradingModeFor } from './sections/alpaca.js';

/** AppConfig's values, typed from the section schemas (src/core/config/sections). */
const ConfigValuesBase = class {
  constructor(init: ConfigValues) {
    Object.assign(this, init);
  }
} as new (init: ConfigValues) => Readonly<ConfigValues>;

/** Typed, validated configuration (validateConfig builds it); the only way code reads settings. */
export class AppConfig extends ConfigValuesBase {
  /** Values that must never appear in a log line or a response body. */
  secrets(): string[] {
    const auditSecrets = [this.audit.hmacKey?.secret, ...this.audit.previousHmacKeys.map((k) => k.secret)];
    return [
      ...this.accounts.list.flatMap((a) => [a.keyId, a.secretKey]),
      ...this.jwt.keys.map((k) => k.secret),
      this.metricsToken,
      ...auditSecrets,
    ].filter((s): s is string => typeof s === 'string' && s.length > 0);
  }

  static providerFor = providerFor;
  static tradingModeFor = tradingModeFor;
}

// The sections' shapes, by the names the rest of the code knows them.
export type AlpacaConfig = AppConfig['alpaca'];
export type { AccountsConfig, AlpacaAccount } from './alpaca-accounts.js';
export type ResilienceConfig = AppConfig['resilience'];
export type CacheConfig = AppConfig['cache'];
export type JwtConfig = AppConfig['jwt'];
export type JwksConfig = NonNullable<JwtConfig['jwks']>;
export type AuthLockoutConfig = AppConfig['authLockout'];
export type StreamConfig = AppConfig['stream'];
export type TelemetryConfig = AppConfig['telemetry'];
export type RateLimitConfig = AppConfig['rateLimits'];
export type TradingHaltSettings = AppConfig['tradingHalt'];
export type AuditSettings = AppConfig['audit'];
export type RiskConfig = AppConfig['risk'];
export type { JwtSigningKey } from './sections/jwt.js';
