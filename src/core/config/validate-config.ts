import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { AppConfig } from './app-config.js';
import { EnvironmentVariables } from './environment.js';

/** Thrown when the environment is invalid; the message names every offending variable. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

function describe(errors: ValidationError[]): string[] {
  return errors.map((e) => {
    const reasons = Object.values(e.constraints ?? {}).join('; ');
    // Never echo the value: it may be a secret.
    return `${e.property}: ${reasons}`;
  });
}

/** Drops empty strings so that `VAR=` means "unset" and the default applies. */
function withoutEmpty(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

/** Validates the environment once and builds the typed configuration. */
export function validateConfig(env: Record<string, string | undefined>): AppConfig {
  const vars = plainToInstance(EnvironmentVariables, withoutEmpty(env), {
    enableImplicitConversion: false,
    exposeDefaultValues: true,
  });
  const errors = validateSync(vars, { skipMissingProperties: false, forbidUnknownValues: true });
  if (errors.length > 0) throw new ConfigValidationError(describe(errors));

  const dataUrl = vars.APCA_API_DATA_URL.replace(/\/+$/, '');
  const tradingUrl = vars.APCA_API_BASE_URL.replace(/\/+$/, '');
  const { provider, host } = AppConfig.providerFor(dataUrl);
  return new AppConfig({
    port: vars.PORT,
    host: vars.HOST,
    alpaca: {
      keyId: vars.APCA_API_KEY_ID,
      secretKey: vars.APCA_API_SECRET_KEY,
      tradingUrl,
      dataUrl,
      stockFeed: vars.ALPACA_STOCK_FEED,
      optionsFeed: vars.ALPACA_OPTIONS_FEED,
      dataRateLimitPerMin: vars.ALPACA_DATA_RATE_LIMIT_PER_MIN,
      tradingRateLimitPerMin: vars.ALPACA_TRADING_RATE_LIMIT_PER_MIN,
      requestTimeoutMs: vars.ALPACA_REQUEST_TIMEOUT_MS,
      provider,
      dataHost: host,
      tradingHost: new URL(tradingUrl).host,
      tradingMode: AppConfig.tradingModeFor(tradingUrl),
    },
    redisUrl: vars.REDIS_URL,
    databaseUrl: vars.DATABASE_URL,
    auditLogPath: vars.AUDIT_LOG_PATH,
    jwt: {
      secret: vars.JWT_SECRET,
      issuer: vars.JWT_ISSUER,
      audience: vars.JWT_AUDIENCE,
      ttlSeconds: vars.JWT_TTL_SECONDS,
      clockToleranceSeconds: vars.JWT_CLOCK_TOLERANCE_SECONDS,
    },
    apiKeysFile: vars.API_KEYS_FILE,
    apiKeysReloadMs: vars.API_KEYS_RELOAD_MS,
    rateLimits: {
      anonymousPerHour: vars.RATE_LIMIT_ANONYMOUS_PER_HOUR,
      authenticatedPerHour: vars.RATE_LIMIT_AUTHENTICATED_PER_HOUR,
      premiumPerHour: vars.RATE_LIMIT_PREMIUM_PER_HOUR,
      burstPerSecond: vars.RATE_LIMIT_BURST_PER_SECOND,
    },
    authLockout: { maxFailures: vars.AUTH_MAX_FAILURES, lockoutSeconds: vars.AUTH_LOCKOUT_SECONDS },
    corsOrigins: vars.CORS_ORIGINS === undefined ? [] : vars.CORS_ORIGINS.split(','),
    resilience: {
      requestDeadlineMs: vars.ALPACA_REQUEST_DEADLINE_MS,
      retryMaxAttempts: vars.ALPACA_RETRY_MAX_ATTEMPTS,
      circuitFailureThreshold: vars.CIRCUIT_FAILURE_THRESHOLD,
      circuitFailureRatio: vars.CIRCUIT_FAILURE_RATIO_PERCENT / 100,
      circuitOpenMs: vars.CIRCUIT_OPEN_MS,
      batchWindowMs: vars.BATCH_WINDOW_MS,
    },
    cache: {
      l1MaxEntries: vars.CACHE_L1_MAX_ENTRIES,
      ttlSeconds: {
        quoteOpen: vars.CACHE_TTL_QUOTE_OPEN_S,
        snapshotOpen: vars.CACHE_TTL_SNAPSHOT_OPEN_S,
        optionQuoteOpen: vars.CACHE_TTL_OPTION_QUOTE_OPEN_S,
        chainOpen: vars.CACHE_TTL_CHAIN_OPEN_S,
        quoteClosed: vars.CACHE_TTL_QUOTE_CLOSED_S,
        chainClosed: vars.CACHE_TTL_CHAIN_CLOSED_S,
        barsRecent: vars.CACHE_TTL_BARS_RECENT_S,
        barsPast: vars.CACHE_TTL_BARS_PAST_S,
      },
    },
    log: { level: vars.LOG_LEVEL, format: vars.LOG_FORMAT },
    allowAnonymous: vars.ALLOW_ANONYMOUS,
    metricsToken: vars.METRICS_TOKEN,
    stockBatchMaxSymbols: vars.STOCK_BATCH_MAX_SYMBOLS,
    optionsBatchMaxContracts: vars.OPTIONS_BATCH_MAX_CONTRACTS,
    bodyLimitBytes: vars.BODY_LIMIT_BYTES,
    // ---- operations ----
    shutdownGraceMs: vars.SHUTDOWN_GRACE_MS,
  });
}
