import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MinLength,
  Min,
  Validate,
  ValidateIf,
} from 'class-validator';
import { TrustProxyConstraint } from './trust-proxy.js';
import { TracingVariables } from './tracing-environment.js';
import { HTTP_URL, toBool, toInt } from './env-transforms.js';

/** Feeds Alpaca accepts on the latest/snapshot stock endpoints (docs/alpaca-wire.md "Feeds"). */
export const STOCK_FEEDS = ['iex', 'sip', 'delayed_sip', 'otc', 'boats', 'overnight'] as const;
export const OPTIONS_FEEDS = ['indicative', 'opra'] as const;
export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;

/**
 * Every environment variable the gateway reads, validated once at boot.
 * Names and defaults are the README's configuration table; Alpaca's own variable names where its SDKs have one.
 */
export class EnvironmentVariables extends TracingVariables {
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  PORT: number = 3000;

  @IsOptional() @IsString() @IsNotEmpty()
  HOST: string = '0.0.0.0';

  @IsString() @IsNotEmpty()
  APCA_API_KEY_ID!: string;

  @IsString() @IsNotEmpty()
  APCA_API_SECRET_KEY!: string;

  @IsOptional() @IsUrl(HTTP_URL)
  APCA_API_BASE_URL: string = 'https://paper-api.alpaca.markets';

  @IsOptional() @IsUrl(HTTP_URL)
  APCA_API_DATA_URL: string = 'https://data.alpaca.markets';

  @IsOptional() @IsIn(STOCK_FEEDS)
  ALPACA_STOCK_FEED: (typeof STOCK_FEEDS)[number] = 'iex';

  @IsOptional() @IsIn(OPTIONS_FEEDS)
  ALPACA_OPTIONS_FEED: (typeof OPTIONS_FEEDS)[number] = 'indicative';

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100000)
  ALPACA_DATA_RATE_LIMIT_PER_MIN: number = 200;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100000)
  ALPACA_TRADING_RATE_LIMIT_PER_MIN: number = 200;

  @IsOptional() @Matches(/^rediss?:\/\/\S+$/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @IsOptional() @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsOptional() @IsString() @IsNotEmpty()
  AUDIT_LOG_PATH: string = './data/audit.jsonl';

  /**
   * HS256 signing key (kid `default`). Required unless JWT_SECRETS is set; a short one is refused
   * rather than silently accepted.
   */
  @ValidateIf((o: EnvironmentVariables) => o.JWT_SECRETS === undefined || o.JWT_SECRET !== undefined)
  @IsString() @MinLength(32)
  JWT_SECRET?: string;

  /**
   * Rotation: `kid:secret` pairs, comma-separated, newest first. New tokens are signed with the
   * first and carry its kid; a token is verified with the key its kid names, so removing a pair
   * rotates that key out. JWT_SECRET, when also set, stays valid as kid `default`.
   */
  @IsOptional() @Matches(/^[A-Za-z0-9._-]{1,64}:[^,\s]{32,}(,[A-Za-z0-9._-]{1,64}:[^,\s]{32,})*$/, {
    message: 'must be comma-separated kid:secret pairs (kid: letters, digits, . _ -; secret: at least 32 characters, no comma or space)',
  })
  JWT_SECRETS?: string;

  @IsOptional() @IsString() @IsNotEmpty()
  JWT_ISSUER: string = 'opitios-alpaca';

  @IsOptional() @IsString() @IsNotEmpty()
  JWT_AUDIENCE: string = 'opitios-alpaca-api';

  @IsOptional() @IsString() @IsNotEmpty()
  API_KEYS_FILE: string = './data/api-keys.json';

  @IsOptional() @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  @IsOptional() @IsIn(LOG_FORMATS)
  LOG_FORMAT: (typeof LOG_FORMATS)[number] = 'json';

  @IsOptional() @Transform(toBool) @IsBoolean()
  ALLOW_ANONYMOUS: boolean = false;

  /**
   * The Alpaca-compatible face (Alpaca's own paths beside /api/v1, for bots that keep their Alpaca
   * SDK and change only URLs and keys): on by default; false leaves those paths unserved (404).
   */
  @IsOptional() @Transform(toBool) @IsBoolean()
  ALPACA_FACE: boolean = true;

  @IsOptional() @IsString() @MinLength(16)
  METRICS_TOKEN?: string;

  /** Data quality: a timestamp this far ahead of now is flagged `future_timestamp`. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(3600)
  QUALITY_FUTURE_SKEW_SECONDS: number = 5;

  /** Data quality: a quote or trade older than this while the market is open is flagged `stale_timestamp`. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(86_400)
  QUALITY_MAX_AGE_SECONDS: number = 900;

  /** `production` makes AUDIT_HMAC_KEY required. */
  @IsOptional() @IsString()
  NODE_ENV?: string;

  /** The audit chain's HMAC key: `kid:secret` or a bare secret (kid `default`), secret ≥ 32 characters. */
  @IsOptional() @IsString()
  AUDIT_HMAC_KEY?: string;

  /** Older HMAC keys (`kid:secret,...`) that still verify the records they keyed, after a rotation. */
  @IsOptional() @IsString()
  AUDIT_HMAC_PREVIOUS_KEYS?: string;

  /** Ed25519 private key (PEM, PKCS#8) that signs checkpoints of the audit chain's head. */
  @IsOptional() @IsString()
  AUDIT_SIGNING_KEY?: string;

  /** A checkpoint after this many records written by this instance... */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(1_000_000)
  AUDIT_CHECKPOINT_EVERY: number = 100;

  /** ...or after this many seconds when the chain has grown since the last one (and at shutdown). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(86_400)
  AUDIT_CHECKPOINT_SECONDS: number = 60;

  /** The trading halt's durable file without DATABASE_URL; default: `trading-halts.json` beside AUDIT_LOG_PATH. */
  @IsOptional() @IsString() @IsNotEmpty()
  TRADING_HALT_FILE?: string;

  /** How often each instance re-reads the fleet's halts (the safety net under Redis pub/sub); at most 1000: a halt reaches every instance within a second. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(50) @Max(1000)
  TRADING_HALT_REFRESH_MS: number = 1000;

  /** Ed25519 private key, PEM (PKCS#8); when set, responses carry RFC 9421 signatures. */
  @IsOptional() @IsString()
  RESPONSE_SIGNING_KEY?: string;

  // ---- the gateway's own (documented in README) ----

  /** Per-request upstream timeout; a slower Alpaca answer becomes 504 UPSTREAM_TIMEOUT. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(60000)
  ALPACA_REQUEST_TIMEOUT_MS: number = 5000;

  /** Largest `symbols[]` accepted by POST /stocks/quotes/batch. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(1000)
  STOCK_BATCH_MAX_SYMBOLS: number = 100;

  /** Lifetime of tokens issued by POST /auth/token. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(60) @Max(86400)
  JWT_TTL_SECONDS: number = 3600;

  /** Longest lifetime a token may have (exp - iat); longer ones are refused, whoever signed them. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(60) @Max(2592000)
  JWT_MAX_TTL_SECONDS: number = 86400;

  /** Identity provider tokens (RS256/ES256) verified with the keys this JWKS URL serves. */
  @IsOptional() @IsUrl(HTTP_URL)
  JWT_JWKS_URL?: string;

  /** Required with JWT_JWKS_URL: the `iss` the identity provider writes. */
  @IsOptional() @IsString() @IsNotEmpty()
  JWT_JWKS_ISSUER?: string;

  /** Required with JWT_JWKS_URL: the `aud` this gateway is known by at the identity provider. */
  @IsOptional() @IsString() @IsNotEmpty()
  JWT_JWKS_AUDIENCE?: string;

  /** Where the roles are in an identity provider's token: a claim name or a dotted path (realm_access.roles). */
  @IsOptional() @Matches(/^[A-Za-z0-9_:-]+(\.[A-Za-z0-9_:-]+)*$/, { message: 'must be a claim name or a dotted path' })
  JWT_JWKS_ROLES_CLAIM: string = 'roles';

  /** Identity provider role → gateway role (`idp-trader=trader,idp-ro=viewer`); unmapped roles are ignored. Unset: names are taken as they are. */
  @IsOptional() @Matches(/^[^=,\s]+=(viewer|premium|trader|admin)(,[^=,\s]+=(viewer|premium|trader|admin))*$/, {
    message: 'must be comma-separated idp_role=gateway_role pairs (gateway roles: viewer, premium, trader, admin)',
  })
  JWT_JWKS_ROLE_MAP?: string;

  /** Tolerated clock difference when checking `exp`/`nbf`/`iat`. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(300)
  JWT_CLOCK_TOLERANCE_SECONDS: number = 30;

  /** How often the API key file is checked for changes (revocations take effect within this). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(60000)
  API_KEYS_RELOAD_MS: number = 1000;

  /**
   * The pre-trade risk policies (YAML or JSON), checked for changes as often as the key file
   * (API_KEYS_RELOAD_MS). Unset: no risk rule applies to any order (said at boot).
   */
  @IsOptional() @IsString() @IsNotEmpty()
  RISK_POLICY_FILE?: string;

  /** A quote or trade older than this (by its own timestamp) is no price for a risk rule. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(86_400)
  RISK_PRICE_MAX_AGE_SECONDS: number = 60;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1)
  RATE_LIMIT_ANONYMOUS_PER_HOUR: number = 100;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1)
  RATE_LIMIT_AUTHENTICATED_PER_HOUR: number = 1000;

  /** premium, trader and admin. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1)
  RATE_LIMIT_PREMIUM_PER_HOUR: number = 5000;

  /** Per principal, per second, on top of the hourly tier. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1)
  RATE_LIMIT_BURST_PER_SECOND: number = 20;

  /** Failed credentials (401) per client address within AUTH_FAILURE_WINDOW_SECONDS before a lockout (403s count towards the rate limit instead). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(1000)
  AUTH_MAX_FAILURES: number = 10;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(86400)
  AUTH_FAILURE_WINDOW_SECONDS: number = 300;

  /** The first lockout's length; each further one within a day doubles it, up to AUTH_LOCKOUT_MAX_SECONDS. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(86400)
  AUTH_LOCKOUT_SECONDS: number = 900;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(604800)
  AUTH_LOCKOUT_MAX_SECONDS: number = 86400;

  /**
   * Express `trust proxy`: a hop count, or comma-separated addresses/CIDRs (and the names
   * loopback, linklocal, uniquelocal) of the proxies in front. Unset: X-Forwarded-For is ignored.
   */
  @IsOptional() @Validate(TrustProxyConstraint)
  TRUST_PROXY?: string;

  /** Comma-separated allowed origins; CORS is off when unset. */
  @IsOptional() @Matches(/^(\*|https?:\/\/[^,\s]+(,https?:\/\/[^,\s]+)*)$/, { message: 'must be * or a comma-separated list of http(s) origins' })
  CORS_ORIGINS?: string;

  // ---- upstream resilience and caching (the caching/resilience issue) ----

  /** A GET to Alpaca, retries included, never takes longer than this. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(60000)
  ALPACA_REQUEST_DEADLINE_MS: number = 2500;

  /** Attempts per GET (1 = no retry). Writes are never retried. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(10)
  ALPACA_RETRY_MAX_ATTEMPTS: number = 3;

  /** Consecutive failures that open a host's circuit. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(10000)
  CIRCUIT_FAILURE_THRESHOLD: number = 5;

  /** Failure share over the last 20 calls (at least 10) that opens the circuit, in percent; 0 turns this rule off. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(100)
  CIRCUIT_FAILURE_RATIO_PERCENT: number = 50;

  /** How long an open circuit refuses before letting one probe through. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(300000)
  CIRCUIT_OPEN_MS: number = 5000;

  /** Window in which cache misses for different symbols merge into one multi-symbol call. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(1000)
  BATCH_WINDOW_MS: number = 5;

  /** In-process cache size (entries). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(10000000)
  CACHE_L1_MAX_ENTRIES: number = 50000;

  @IsOptional() @Transform(toInt) @IsInt() @Min(0) CACHE_TTL_QUOTE_OPEN_S: number = 5;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) CACHE_TTL_SNAPSHOT_OPEN_S: number = 5;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) CACHE_TTL_OPTION_QUOTE_OPEN_S: number = 15;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) CACHE_TTL_CHAIN_OPEN_S: number = 30;
  /** Quotes, trades, snapshots and option quotes while the market is closed. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) CACHE_TTL_QUOTE_CLOSED_S: number = 300;
  /** Chains (and contracts) while the market is closed. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) CACHE_TTL_CHAIN_CLOSED_S: number = 600;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) CACHE_TTL_BARS_RECENT_S: number = 60;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) CACHE_TTL_BARS_PAST_S: number = 86400;
  /** News pages (articles arrive and are updated at any hour). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) CACHE_TTL_NEWS_S: number = 60;
  /** Screeners (most actives, movers) while the market is open; closed: CACHE_TTL_QUOTE_CLOSED_S. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) CACHE_TTL_SCREENER_OPEN_S: number = 60;
  /** Reference data that changes a few times a day at most: condition and exchange codes, assets, the calendar. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) CACHE_TTL_REFERENCE_S: number = 21600;

  /** Largest `option_symbols[]` accepted by POST /options/quotes/batch (sent 100 per upstream call). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(1000)
  OPTIONS_BATCH_MAX_CONTRACTS: number = 100;

  /** Deepest nesting of arrays/objects a JSON body may have; deeper ones are refused before validation. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(2) @Max(256)
  BODY_MAX_DEPTH: number = 16;

  /** Request body limit (bytes); larger bodies answer 413 PAYLOAD_TOO_LARGE. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1024) @Max(10485760)
  BODY_LIMIT_BYTES: number = 102400;

  // ---- streams ----

  /** Alpaca's market-data stream host; `/v2/{feed}` and `/v1beta1/{options feed}` are appended. */
  @IsOptional() @IsUrl({ require_tld: false, require_protocol: true, protocols: ['ws', 'wss'] })
  APCA_API_STREAM_URL: string = 'wss://stream.data.alpaca.markets';

  /** Symbols the plan lets one stream connection hold (Basic/IEX: 30), over all channels of an endpoint. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100000)
  ALPACA_STREAM_MAX_SYMBOLS: number = 30;

  /** Client connections (WebSocket and SSE together) one principal may hold on one instance. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100000)
  STREAM_MAX_CONNECTIONS_PER_PRINCIPAL: number = 10;

  /** Symbols (over all channels) one client connection may subscribe to. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100000)
  STREAM_MAX_SYMBOLS_PER_CONNECTION: number = 100;

  /** A client's send queue: past either bound, messages are dropped and counted (a `dropped` message follows). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(1000000)
  STREAM_CLIENT_QUEUE_MESSAGES: number = 1000;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1024) @Max(268435456)
  STREAM_CLIENT_QUEUE_BYTES: number = 1048576;

  /** A client that keeps overflowing this long is closed with 4408. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(600000)
  STREAM_SLOW_CLIENT_CLOSE_MS: number = 10000;

  /**
   * With REDIS_URL: while Redis is unreachable, each instance opens its own upstream socket (true)
   * instead of telling its clients UPSTREAM_STREAM_UNAVAILABLE until Redis returns (false). On one
   * Alpaca account all but one such socket get 406, so only one instance's clients are served.
   */
  @IsOptional() @Transform(toBool) @IsBoolean()
  STREAM_FALLBACK_LOCAL: boolean = false;

  /** A WebSocket client without credentials on the upgrade must send an auth frame within this long (then 4401). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(600000)
  STREAM_AUTH_TIMEOUT_MS: number = 10000;

  /**
   * WebSocket sockets one client address may hold before they authenticate; another one from that
   * address is closed at once (1008, RATE_LIMIT_EXCEEDED) until one authenticates or leaves.
   */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100000)
  STREAM_MAX_UNAUTHENTICATED_PER_ADDRESS: number = 20;

  /**
   * Alpaca's account stream (`trade_updates` at APCA_API_BASE_URL's `/stream`), one socket for the
   * fleet, held at all times so that every fill, cancel, expiry, replace and rejection reaches the
   * audit trail and the `orders` channel. false: no such socket, the `orders` channel answers
   * UPSTREAM_STREAM_UNAVAILABLE and order events are not audited.
   */
  @IsOptional() @Transform(toBool) @IsBoolean()
  ALPACA_TRADE_UPDATES: boolean = true;

  /** How long an upstream socket stays open after its last subscriber left (a quick resubscribe reuses it). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(600000)
  STREAM_UPSTREAM_LINGER_MS: number = 5000;

  /**
   * Client frames (auth, subscribe, unsubscribe, bad ones) one principal may send per second over
   * all its stream connections, in bursts of twice this; past it each frame is refused
   * (RATE_LIMIT_EXCEEDED), and a connection refused more than 10 times without a second's pause is
   * closed with 4429.
   */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(1000000)
  STREAM_CLIENT_FRAMES_PER_SECOND: number = 20;

  /**
   * Upstream subscription changes are collected this long, then Alpaca is sent only the net
   * difference (at most one unsubscribe and one subscribe per window), whatever clients churn.
   */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(10000)
  STREAM_UPSTREAM_COALESCE_MS: number = 100;

  // ---- operations (health, metrics, shutdown) ----

  /**
   * On SIGTERM: how long in-flight requests may take to finish after the listener closes, before
   * their connections are cut. Keep it below Kubernetes' terminationGracePeriodSeconds.
   */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(600000)
  SHUTDOWN_GRACE_MS: number = 10000;
}
