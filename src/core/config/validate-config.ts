import { dirname, join } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { AppConfig, type JwksConfig, type JwtSigningKey, type TelemetryConfig } from './app-config.js';
import { parseTrustProxy } from './trust-proxy.js';
import { readEd25519PrivateKey } from '../signing/ed25519-key.js';
import { parseHmacKey, parsePreviousHmacKeys, productionHmacKeyProblem } from './audit-hmac-keys.js';
import { EnvironmentVariables } from './environment.js';

/** Thrown when the environment is invalid; the message names every offending variable. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/**
 * Constraints about a value's size or length: they only say something useful once the value has
 * the right shape, so a failed shape check (integer, boolean, URL, one of a list, a pattern) wins.
 */
const RANGE_CONSTRAINTS = new Set(['min', 'max', 'minLength', 'maxLength', 'isNotEmpty']);

/** The one message for a variable: its most specific failed constraint, worded without the variable's name. */
function mostSpecific(e: ValidationError): string {
  const failed = Object.entries(e.constraints ?? {});
  const [, message] = failed.find(([name]) => !RANGE_CONSTRAINTS.has(name)) ?? failed[0] ?? ['', 'is invalid'];
  // class-validator's defaults start with the property name ("PORT must be ..."); the line already does.
  return message.startsWith(`${e.property} `) ? message.slice(e.property.length + 1) : message;
}

/** One line per bad variable, never echoing its value: it may be a secret. A missing one "is required". */
function describe(errors: ValidationError[]): string[] {
  return errors.map((e) => `${e.property}: ${e.value === undefined ? 'is required' : mostSpecific(e)}`);
}

/**
 * One message per variable, the first of the list: a variable already refused on its own is not
 * also reported by a rule that involves another one (JWT_TTL_SECONDS=90000 is out of range; that it
 * also exceeds JWT_MAX_TTL_SECONDS adds nothing).
 */
function firstPerVariable(problems: string[]): string[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const variable = p.slice(0, p.indexOf(':'));
    if (seen.has(variable)) return false;
    seen.add(variable);
    return true;
  });
}

/** Drops empty strings so that `VAR=` means "unset" and the default applies. */
function withoutEmpty(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

/** The kid JWT_SECRET's tokens carry (and tokens without a kid are checked against). */
export const DEFAULT_JWT_KID = 'default';

/** `kid:secret,kid:secret` (already matched by EnvironmentVariables' pattern) in order. */
function parseJwtSecrets(raw: string | undefined): JwtSigningKey[] {
  return (raw ?? '')
    .split(',')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const at = pair.indexOf(':');
      return { kid: pair.slice(0, at), secret: pair.slice(at + 1) };
    });
}

/** JWT_SECRETS (newest first), then JWT_SECRET as kid `default`. */
function jwtKeys(vars: EnvironmentVariables): JwtSigningKey[] {
  const keys = parseJwtSecrets(vars.JWT_SECRETS);
  if (vars.JWT_SECRET !== undefined && !keys.some((k) => k.kid === DEFAULT_JWT_KID)) keys.push({ kid: DEFAULT_JWT_KID, secret: vars.JWT_SECRET });
  return keys;
}

function jwksConfig(vars: EnvironmentVariables): JwksConfig | null {
  if (vars.JWT_JWKS_URL === undefined || vars.JWT_JWKS_ISSUER === undefined || vars.JWT_JWKS_AUDIENCE === undefined) return null;
  const roleMap = vars.JWT_JWKS_ROLE_MAP === undefined ? null : new Map(vars.JWT_JWKS_ROLE_MAP.split(',').map((pair) => pair.split('=') as [string, string]));
  return { url: vars.JWT_JWKS_URL, issuer: vars.JWT_JWKS_ISSUER, audience: vars.JWT_JWKS_AUDIENCE, rolesClaim: vars.JWT_JWKS_ROLES_CLAIM, roleMap };
}

/** The OTLP collector's default (OpenTelemetry's spec) when `OTEL_TRACES_EXPORTER=otlp` names no endpoint. */
const DEFAULT_OTLP_TRACES_URL = 'http://localhost:4318/v1/traces';

/**
 * Tracing is on only when asked for: an OTLP endpoint or an explicit exporter, and not
 * OTEL_SDK_DISABLED. Unset, nothing is created (no provider, no spans, no exporter).
 */
function telemetryConfig(vars: EnvironmentVariables): TelemetryConfig {
  const endpoint =
    vars.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (vars.OTEL_EXPORTER_OTLP_ENDPOINT === undefined ? undefined : `${vars.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`);
  const wanted = vars.OTEL_TRACES_EXPORTER ?? (endpoint === undefined ? 'none' : 'otlp');
  const exporter = vars.OTEL_SDK_DISABLED || wanted === 'none' ? null : wanted;
  return {
    exporter,
    otlpTracesUrl: exporter === 'otlp' ? (endpoint ?? DEFAULT_OTLP_TRACES_URL) : null,
    serviceName: vars.OTEL_SERVICE_NAME,
    propagateUpstream: vars.TRACE_PROPAGATE_UPSTREAM,
  };
}

/** Rules that involve more than one variable. */
function crossFieldProblems(vars: EnvironmentVariables): string[] {
  const problems: string[] = [];
  if (vars.JWT_SECRET === undefined && vars.JWT_SECRETS === undefined) problems.push('JWT_SECRET: required unless JWT_SECRETS is set');
  const kids = parseJwtSecrets(vars.JWT_SECRETS).map((k) => k.kid);
  if (new Set(kids).size !== kids.length) problems.push('JWT_SECRETS: each kid may appear once');
  if (vars.JWT_TTL_SECONDS > vars.JWT_MAX_TTL_SECONDS) problems.push('JWT_TTL_SECONDS: must not exceed JWT_MAX_TTL_SECONDS');
  const readable = (name: string, value: string | undefined, read: (v: string) => unknown): void => {
    if (value === undefined) return;
    try {
      read(value);
    } catch (e: unknown) {
      problems.push(`${name}: ${e instanceof Error ? e.message : 'unreadable'}`);
    }
  };
  readable('RESPONSE_SIGNING_KEY', vars.RESPONSE_SIGNING_KEY, readEd25519PrivateKey);
  readable('AUDIT_SIGNING_KEY', vars.AUDIT_SIGNING_KEY, readEd25519PrivateKey);
  readable('AUDIT_HMAC_KEY', vars.AUDIT_HMAC_KEY, parseHmacKey);
  readable('AUDIT_HMAC_PREVIOUS_KEYS', vars.AUDIT_HMAC_PREVIOUS_KEYS, parsePreviousHmacKeys);
  const unkeyed = productionHmacKeyProblem(vars);
  if (unkeyed !== null) problems.push(unkeyed);
  if (vars.JWT_JWKS_URL !== undefined && (vars.JWT_JWKS_ISSUER === undefined || vars.JWT_JWKS_AUDIENCE === undefined)) {
    problems.push('JWT_JWKS_URL: needs JWT_JWKS_ISSUER and JWT_JWKS_AUDIENCE (tokens are checked against both)');
  }
  return problems;
}

/** Validates the environment once and builds the typed configuration. */
export function validateConfig(env: Record<string, string | undefined>): AppConfig {
  const vars = plainToInstance(EnvironmentVariables, withoutEmpty(env), {
    enableImplicitConversion: false,
    exposeDefaultValues: true,
  });
  const errors = validateSync(vars, { skipMissingProperties: false, forbidUnknownValues: true });
  const missing = errors.filter((e) => e.value === undefined);
  const wrong = errors.filter((e) => e.value !== undefined);
  // A wrong value's own check first; a rule naming another variable ("required unless JWT_SECRETS
  // is set") says more than a bare "is required".
  const problems = firstPerVariable([...describe(wrong), ...crossFieldProblems(vars), ...describe(missing)]);
  if (problems.length > 0) throw new ConfigValidationError(problems);

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
    quality: { futureSkewSeconds: vars.QUALITY_FUTURE_SKEW_SECONDS, maxAgeSeconds: vars.QUALITY_MAX_AGE_SECONDS },
    audit: {
      hmacKey: vars.AUDIT_HMAC_KEY === undefined ? null : parseHmacKey(vars.AUDIT_HMAC_KEY),
      previousHmacKeys: parsePreviousHmacKeys(vars.AUDIT_HMAC_PREVIOUS_KEYS),
      signingKey: vars.AUDIT_SIGNING_KEY === undefined ? null : readEd25519PrivateKey(vars.AUDIT_SIGNING_KEY),
      checkpointEvery: vars.AUDIT_CHECKPOINT_EVERY,
      checkpointSeconds: vars.AUDIT_CHECKPOINT_SECONDS,
    },
    tradingHalt: {
      file: vars.TRADING_HALT_FILE ?? join(dirname(vars.AUDIT_LOG_PATH), 'trading-halts.json'),
      refreshMs: vars.TRADING_HALT_REFRESH_MS,
    },
    jwt: {
      keys: jwtKeys(vars),
      issuer: vars.JWT_ISSUER,
      audience: vars.JWT_AUDIENCE,
      ttlSeconds: vars.JWT_TTL_SECONDS,
      maxTtlSeconds: vars.JWT_MAX_TTL_SECONDS,
      clockToleranceSeconds: vars.JWT_CLOCK_TOLERANCE_SECONDS,
      jwks: jwksConfig(vars),
    },
    apiKeysFile: vars.API_KEYS_FILE,
    apiKeysReloadMs: vars.API_KEYS_RELOAD_MS,
    risk: { policyFile: vars.RISK_POLICY_FILE, priceMaxAgeSeconds: vars.RISK_PRICE_MAX_AGE_SECONDS },
    rateLimits: {
      anonymousPerHour: vars.RATE_LIMIT_ANONYMOUS_PER_HOUR,
      authenticatedPerHour: vars.RATE_LIMIT_AUTHENTICATED_PER_HOUR,
      premiumPerHour: vars.RATE_LIMIT_PREMIUM_PER_HOUR,
      burstPerSecond: vars.RATE_LIMIT_BURST_PER_SECOND,
    },
    authLockout: {
      maxFailures: vars.AUTH_MAX_FAILURES,
      failureWindowSeconds: vars.AUTH_FAILURE_WINDOW_SECONDS,
      lockoutSeconds: vars.AUTH_LOCKOUT_SECONDS,
      lockoutMaxSeconds: Math.max(vars.AUTH_LOCKOUT_SECONDS, vars.AUTH_LOCKOUT_MAX_SECONDS),
    },
    trustProxy: parseTrustProxy(vars.TRUST_PROXY) ?? false,
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
        news: vars.CACHE_TTL_NEWS_S,
        screenerOpen: vars.CACHE_TTL_SCREENER_OPEN_S,
        reference: vars.CACHE_TTL_REFERENCE_S,
      },
    },
    log: { level: vars.LOG_LEVEL, format: vars.LOG_FORMAT },
    allowAnonymous: vars.ALLOW_ANONYMOUS,
    alpacaFace: vars.ALPACA_FACE,
    metricsToken: vars.METRICS_TOKEN,
    responseSigning: vars.RESPONSE_SIGNING_KEY === undefined ? null : readEd25519PrivateKey(vars.RESPONSE_SIGNING_KEY),
    stockBatchMaxSymbols: vars.STOCK_BATCH_MAX_SYMBOLS,
    optionsBatchMaxContracts: vars.OPTIONS_BATCH_MAX_CONTRACTS,
    bodyLimitBytes: vars.BODY_LIMIT_BYTES,
    bodyMaxDepth: vars.BODY_MAX_DEPTH,
    stream: {
      url: vars.APCA_API_STREAM_URL.replace(/\/+$/, ''),
      maxUpstreamSymbols: vars.ALPACA_STREAM_MAX_SYMBOLS,
      maxConnectionsPerPrincipal: vars.STREAM_MAX_CONNECTIONS_PER_PRINCIPAL,
      maxSymbolsPerConnection: vars.STREAM_MAX_SYMBOLS_PER_CONNECTION,
      clientQueueMessages: vars.STREAM_CLIENT_QUEUE_MESSAGES,
      clientQueueBytes: vars.STREAM_CLIENT_QUEUE_BYTES,
      slowClientCloseMs: vars.STREAM_SLOW_CLIENT_CLOSE_MS,
      upstreamLingerMs: vars.STREAM_UPSTREAM_LINGER_MS,
      upstreamCoalesceMs: vars.STREAM_UPSTREAM_COALESCE_MS,
      clientFramesPerSecond: vars.STREAM_CLIENT_FRAMES_PER_SECOND,
      authTimeoutMs: vars.STREAM_AUTH_TIMEOUT_MS,
      maxUnauthenticatedPerAddress: vars.STREAM_MAX_UNAUTHENTICATED_PER_ADDRESS,
      fallbackLocal: vars.STREAM_FALLBACK_LOCAL,
      tradeUpdates: vars.ALPACA_TRADE_UPDATES,
    },
    telemetry: telemetryConfig(vars),
    // ---- operations ----
    shutdownGraceMs: vars.SHUTDOWN_GRACE_MS,
  });
}
