import type { Ed25519KeyPair } from '../signing/ed25519-key.js';
import type { AuditHmacKey } from './audit-hmac-keys.js';
import { STOCK_FEEDS, OPTIONS_FEEDS, LOG_FORMATS, LOG_LEVELS } from './environment.js';
import type { TrustProxySetting } from './trust-proxy.js';

/** Hosts Alpaca itself serves; any other host is reported as such in `metadata.provider`. */
const OFFICIAL_DATA_HOSTS = new Set(['data.alpaca.markets', 'data.sandbox.alpaca.markets']);
const LIVE_TRADING_HOST = 'api.alpaca.markets';

export interface AlpacaConfig {
  keyId: string;
  secretKey: string;
  tradingUrl: string;
  dataUrl: string;
  stockFeed: (typeof STOCK_FEEDS)[number];
  optionsFeed: (typeof OPTIONS_FEEDS)[number];
  dataRateLimitPerMin: number;
  tradingRateLimitPerMin: number;
  requestTimeoutMs: number;
  /** `alpaca` for Alpaca's own hosts, else `non_alpaca_host` so clients can tell emulated data apart. */
  provider: 'alpaca' | 'non_alpaca_host';
  dataHost: string;
  tradingHost: string;
  tradingMode: 'paper' | 'live' | 'non_alpaca_host';
}

export interface ResilienceConfig {
  requestDeadlineMs: number;
  retryMaxAttempts: number;
  circuitFailureThreshold: number;
  circuitFailureRatio: number;
  circuitOpenMs: number;
  batchWindowMs: number;
}

export interface CacheConfig {
  l1MaxEntries: number;
  ttlSeconds: {
    quoteOpen: number;
    snapshotOpen: number;
    optionQuoteOpen: number;
    chainOpen: number;
    quoteClosed: number;
    chainClosed: number;
    barsRecent: number;
    barsPast: number;
    news: number;
    screenerOpen: number;
    reference: number;
  };
}

/** One HS256 key; `kid` goes into the header of tokens signed with it. */
export interface JwtSigningKey {
  kid: string;
  secret: string;
}

/** An identity provider whose RS256/ES256 tokens are accepted (keys from its JWKS URL). */
export interface JwksConfig {
  url: string;
  issuer: string;
  audience: string;
  /** Claim name or dotted path holding the roles. */
  rolesClaim: string;
  /** Identity provider role → gateway role; null: role names are taken as they are. */
  roleMap: ReadonlyMap<string, string> | null;
}

export interface JwtConfig {
  /** Every HS256 key that verifies; the first one signs new tokens. */
  keys: JwtSigningKey[];
  issuer: string;
  audience: string;
  ttlSeconds: number;
  maxTtlSeconds: number;
  clockToleranceSeconds: number;
  jwks: JwksConfig | null;
}

export interface AuthLockoutConfig {
  maxFailures: number;
  failureWindowSeconds: number;
  lockoutSeconds: number;
  lockoutMaxSeconds: number;
}

export interface StreamConfig {
  /** Alpaca's stream host (wss://…), no trailing slash. */
  url: string;
  maxUpstreamSymbols: number;
  maxConnectionsPerPrincipal: number;
  maxSymbolsPerConnection: number;
  clientQueueMessages: number;
  clientQueueBytes: number;
  slowClientCloseMs: number;
  upstreamLingerMs: number;
  /** STREAM_UPSTREAM_COALESCE_MS: the window over which upstream subscription changes are netted. */
  upstreamCoalesceMs: number;
  /** STREAM_CLIENT_FRAMES_PER_SECOND: per principal, bursts of twice this. */
  clientFramesPerSecond: number;
  authTimeoutMs: number;
  /** STREAM_MAX_UNAUTHENTICATED_PER_ADDRESS: WebSocket sockets per client address not yet authenticated. */
  maxUnauthenticatedPerAddress: number;
  fallbackLocal: boolean;
  /** ALPACA_TRADE_UPDATES: hold the trading stream (orders channel, order events in the audit trail). */
  tradeUpdates: boolean;
}

/** Tracing (OpenTelemetry). `exporter` null: off, and nothing is recorded or paid for. */
export interface TelemetryConfig {
  exporter: 'otlp' | 'console' | null;
  /** Where OTLP/HTTP spans are posted (`exporter` otlp). */
  otlpTracesUrl: string | null;
  serviceName: string;
  /** Send `traceparent` to Alpaca's hosts (TRACE_PROPAGATE_UPSTREAM). */
  propagateUpstream: boolean;
}

export interface RateLimitConfig {
  anonymousPerHour: number;
  authenticatedPerHour: number;
  premiumPerHour: number;
  burstPerSecond: number;
}

/** The fleet-wide trading halt: its file without DATABASE_URL, and how often instances re-read it (ms, ≤ 1000). */
export interface TradingHaltSettings {
  file: string;
  refreshMs: number;
}

export interface AuditSettings {
  /** AUDIT_HMAC_KEY, parsed; null keeps the plain SHA-256 chain (refused in production). */
  hmacKey: AuditHmacKey | null;
  previousHmacKeys: AuditHmacKey[];
  /** AUDIT_SIGNING_KEY: signs checkpoints of the chain's head. */
  signingKey: Ed25519KeyPair | null;
  checkpointEvery: number;
  checkpointSeconds: number;
}

/** The pre-trade risk gate (src/risk). */
export interface RiskConfig {
  /** RISK_POLICY_FILE; undefined: no rule applies. */
  policyFile: string | undefined;
  /** RISK_PRICE_MAX_AGE_SECONDS: an older quote or trade counts as none. */
  priceMaxAgeSeconds: number;
}

/** Typed, validated configuration; the only way code reads settings. */
export class AppConfig {
  readonly port: number;
  readonly host: string;
  readonly alpaca: AlpacaConfig;
  readonly redisUrl: string | undefined;
  readonly databaseUrl: string | undefined;
  readonly auditLogPath: string;
  /** Keys of the audit trail and how often its head is checkpointed. */
  readonly audit: AuditSettings;
  readonly tradingHalt: TradingHaltSettings;
  /** Data-quality checks: how far ahead a timestamp may be, how old while the market is open. */
  readonly quality: { futureSkewSeconds: number; maxAgeSeconds: number };
  readonly jwt: JwtConfig;
  readonly apiKeysFile: string;
  readonly apiKeysReloadMs: number;
  readonly risk: RiskConfig;
  readonly rateLimits: RateLimitConfig;
  readonly authLockout: AuthLockoutConfig;
  /** Express `trust proxy`: which X-Forwarded-For hops name the client. */
  readonly trustProxy: TrustProxySetting;
  readonly corsOrigins: string[];
  readonly resilience: ResilienceConfig;
  readonly cache: CacheConfig;
  readonly log: { level: (typeof LOG_LEVELS)[number]; format: (typeof LOG_FORMATS)[number] };
  readonly allowAnonymous: boolean;
  /** ALPACA_FACE: Alpaca's own REST paths and stream protocol served beside /api/v1. */
  readonly alpacaFace: boolean;
  readonly metricsToken: string | undefined;
  /** RESPONSE_SIGNING_KEY: responses are signed (RFC 9421) with this Ed25519 key when set. */
  readonly responseSigning: Ed25519KeyPair | null;
  readonly stockBatchMaxSymbols: number;
  readonly optionsBatchMaxContracts: number;
  readonly bodyLimitBytes: number;
  readonly bodyMaxDepth: number;
  readonly stream: StreamConfig;
  readonly telemetry: TelemetryConfig;
  // ---- operations ----
  /** SHUTDOWN_GRACE_MS: drain time for in-flight requests on SIGTERM. */
  readonly shutdownGraceMs: number;

  constructor(init: Omit<AppConfig, 'secrets'>) {
    this.port = init.port;
    this.host = init.host;
    this.alpaca = init.alpaca;
    this.redisUrl = init.redisUrl;
    this.databaseUrl = init.databaseUrl;
    this.auditLogPath = init.auditLogPath;
    this.audit = init.audit;
    this.tradingHalt = init.tradingHalt;
    this.quality = init.quality;
    this.jwt = init.jwt;
    this.apiKeysFile = init.apiKeysFile;
    this.apiKeysReloadMs = init.apiKeysReloadMs;
    this.risk = init.risk;
    this.rateLimits = init.rateLimits;
    this.authLockout = init.authLockout;
    this.trustProxy = init.trustProxy;
    this.corsOrigins = init.corsOrigins;
    this.resilience = init.resilience;
    this.cache = init.cache;
    this.log = init.log;
    this.allowAnonymous = init.allowAnonymous;
    this.alpacaFace = init.alpacaFace;
    this.metricsToken = init.metricsToken;
    this.responseSigning = init.responseSigning;
    this.stockBatchMaxSymbols = init.stockBatchMaxSymbols;
    this.optionsBatchMaxContracts = init.optionsBatchMaxContracts;
    this.bodyLimitBytes = init.bodyLimitBytes;
    this.bodyMaxDepth = init.bodyMaxDepth;
    this.stream = init.stream;
    this.telemetry = init.telemetry;
    this.shutdownGraceMs = init.shutdownGraceMs;
  }

  /** Values that must never appear in a log line or a response body. */
  secrets(): string[] {
    const auditSecrets = [this.audit.hmacKey?.secret, ...this.audit.previousHmacKeys.map((k) => k.secret)];
    return [this.alpaca.keyId, this.alpaca.secretKey, ...this.jwt.keys.map((k) => k.secret), this.metricsToken, ...auditSecrets].filter(
      (s): s is string => typeof s === 'string' && s.length > 0,
    );
  }

  static providerFor(dataUrl: string): { provider: AlpacaConfig['provider']; host: string } {
    const host = new URL(dataUrl).host;
    return { provider: OFFICIAL_DATA_HOSTS.has(host) ? 'alpaca' : 'non_alpaca_host', host };
  }

  static tradingModeFor(tradingUrl: string): AlpacaConfig['tradingMode'] {
    const host = new URL(tradingUrl).host;
    if (host === LIVE_TRADING_HOST) return 'live';
    if (host === 'paper-api.alpaca.markets') return 'paper';
    return 'non_alpaca_host';
  }
}
