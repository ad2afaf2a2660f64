import { ConfigValidationError, validateConfig } from './validate-config.js';

const JWT = 'j'.repeat(32);
const REQUIRED = { APCA_API_KEY_ID: 'key-id-0001', APCA_API_SECRET_KEY: 'secret-key-0001', JWT_SECRET: JWT };

function problemsOf(env: Record<string, string>): string[] {
  try {
    validateConfig(env);
  } catch (e: unknown) {
    if (e instanceof ConfigValidationError) return e.problems;
    throw e;
  }
  throw new Error('expected the configuration to be refused');
}

describe('validateConfig', () => {
  it('applies the documented defaults', () => {
    const c = validateConfig(REQUIRED);
    expect(c.port).toBe(3000);
    expect(c.host).toBe('0.0.0.0');
    expect(c.alpaca.tradingUrl).toBe('https://paper-api.alpaca.markets');
    expect(c.alpaca.dataUrl).toBe('https://data.alpaca.markets');
    expect(c.alpaca.stockFeed).toBe('iex');
    expect(c.alpaca.optionsFeed).toBe('indicative');
    expect(c.alpaca.dataRateLimitPerMin).toBe(200);
    expect(c.alpaca.tradingRateLimitPerMin).toBe(200);
    expect(c.alpaca.provider).toBe('alpaca');
    expect(c.alpaca.tradingMode).toBe('paper');
    expect(c.jwt).toEqual({
      keys: [{ kid: 'default', secret: JWT }],
      issuer: 'opitios-alpaca',
      audience: 'opitios-alpaca-api',
      ttlSeconds: 3600,
      maxTtlSeconds: 86400,
      clockToleranceSeconds: 30,
      jwks: null,
    });
    expect(c.rateLimits).toEqual({
      anonymousPerHour: 100,
      authenticatedPerHour: 1000,
      premiumPerHour: 5000,
      burstPerSecond: 20,
    });
    expect(c.authLockout).toEqual({
      maxFailures: 10,
      failureWindowSeconds: 300,
      lockoutSeconds: 900,
      lockoutMaxSeconds: 86400,
    });
    expect(c.trustProxy).toBe(false);
    expect(c.bodyMaxDepth).toBe(16);
    expect(c.corsOrigins).toEqual([]);
    expect(c.auditLogPath).toBe('./data/audit.jsonl');
    expect(c.apiKeysFile).toBe('./data/api-keys.json');
    expect(c.log).toEqual({ level: 'info', format: 'json' });
    expect(c.allowAnonymous).toBe(false);
    expect(c.alpacaFace).toBe(true);
    expect(c.stockBatchMaxSymbols).toBe(100);
    expect(c.optionsBatchMaxContracts).toBe(100);
  });

  it('puts the trading halt file beside the audit trail unless TRADING_HALT_FILE names one; refreshes at most every second', () => {
    expect(validateConfig(REQUIRED).tradingHalt).toEqual({ file: 'data/trading-halts.json', refreshMs: 1000 });
    expect(
      validateConfig({ ...REQUIRED, AUDIT_LOG_PATH: '/var/lib/gw/audit.jsonl', TRADING_HALT_REFRESH_MS: '250' })
        .tradingHalt,
    ).toEqual({
      file: '/var/lib/gw/trading-halts.json',
      refreshMs: 250,
    });
    expect(validateConfig({ ...REQUIRED, TRADING_HALT_FILE: '/srv/halts.json' }).tradingHalt.file).toBe(
      '/srv/halts.json',
    );
    // A slower safety net would break the promise that a halt reaches every instance within a second.
    expect(problemsOf({ ...REQUIRED, TRADING_HALT_REFRESH_MS: '1001' }).join('\n')).toContain(
      'TRADING_HALT_REFRESH_MS',
    );
    expect(problemsOf({ ...REQUIRED, TRADING_HALT_REFRESH_MS: '0' }).join('\n')).toContain('TRADING_HALT_REFRESH_MS');
  });

  it('names every missing or invalid variable, and never echoes a value', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      ALPACA_STOCK_FEED: 'nasdaq',
      JWT_SECRET: 'short-secret-value',
      CORS_ORIGINS: 'not an origin',
    });
    const text = problems.join('\n');
    for (const name of [
      'APCA_API_KEY_ID',
      'APCA_API_SECRET_KEY',
      'PORT',
      'ALPACA_STOCK_FEED',
      'JWT_SECRET',
      'CORS_ORIGINS',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).not.toContain('short-secret-value');
  });

  it('gives each bad variable exactly one message, the most specific, without its value', () => {
    const problems = problemsOf({ ...REQUIRED, PORT: 'abc', JWT_TTL_SECONDS: '90000', METRICS_TOKEN: 'tok-9' });
    expect(problems).toEqual([
      'PORT: must be an integer number',
      'METRICS_TOKEN: must be longer than or equal to 16 characters',
      'JWT_TTL_SECONDS: must not be greater than 86400',
    ]);
    const text = problems.join('\n');
    for (const value of ['abc', '90000', 'tok-9']) expect(text).not.toContain(value);
    // A whole number out of range: the one bound it crosses.
    expect(problemsOf({ ...REQUIRED, PORT: '70000' })).toEqual(['PORT: must not be greater than 65535']);
    expect(problemsOf({ ...REQUIRED, PORT: '-1' })).toEqual(['PORT: must not be less than 0']);
    // Missing: said so, once; JWT_SECRET by the rule that names its alternative.
    expect(problemsOf({})).toEqual([
      'JWT_SECRET: required unless JWT_SECRETS is set',
      'APCA_API_KEY_ID: is required unless ALPACA_ACCOUNTS is set',
      'APCA_API_SECRET_KEY: is required unless ALPACA_ACCOUNTS is set',
    ]);
  });

  it.each([
    ['APCA_API_DATA_URL', 'not a url'],
    ['APCA_API_BASE_URL', 'ftp://example.com'],
    ['ALPACA_OPTIONS_FEED', 'sip'],
    ['ALPACA_DATA_RATE_LIMIT_PER_MIN', '0'],
    ['REDIS_URL', 'localhost:6379'],
    ['DATABASE_URL', 'mysql://x'],
    ['LOG_LEVEL', 'loud'],
    ['LOG_FORMAT', 'xml'],
    ['ALLOW_ANONYMOUS', 'yes'],
    ['ALPACA_FACE', 'off'],
    ['ALPACA_REQUEST_TIMEOUT_MS', '5'],
    ['STOCK_BATCH_MAX_SYMBOLS', '-1'],
    ['PORT', '70000'],
    ['JWT_TTL_SECONDS', '5'],
    ['RATE_LIMIT_BURST_PER_SECOND', '0'],
    ['AUTH_MAX_FAILURES', 'many'],
  ])('refuses %s=%s', (name, value) => {
    expect(problemsOf({ ...REQUIRED, [name]: value }).join('\n')).toContain(name);
  });

  it('requires AUDIT_HMAC_KEY in production and reads the audit keys', () => {
    expect(problemsOf({ ...REQUIRED, NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/^AUDIT_HMAC_KEY: required when NODE_ENV=production/),
    ]);
    const secret = 'audit-hmac-secret-0123456789abcdefghij';
    const c = validateConfig({
      ...REQUIRED,
      NODE_ENV: 'production',
      AUDIT_HMAC_KEY: `k2:${secret}`,
      AUDIT_HMAC_PREVIOUS_KEYS: `k1:${secret}x`,
    });
    expect(c.audit).toMatchObject({
      hmacKey: { kid: 'k2', secret },
      previousHmacKeys: [{ kid: 'k1', secret: `${secret}x` }],
      signingKey: null,
      checkpointEvery: 100,
      checkpointSeconds: 60,
    });
    expect(validateConfig({ ...REQUIRED, AUDIT_HMAC_KEY: secret }).audit.hmacKey).toEqual({ kid: 'default', secret });
    expect(c.secrets()).toEqual(expect.arrayContaining([secret, `${secret}x`]));
    const problems = problemsOf({ ...REQUIRED, AUDIT_HMAC_KEY: 'k1:short', AUDIT_SIGNING_KEY: 'not a key' }).join('\n');
    expect(problems).toContain('AUDIT_HMAC_KEY: an HMAC secret must be at least 32 characters');
    expect(problems).toContain('AUDIT_SIGNING_KEY: not a PEM private key');
    expect(problems).not.toContain('short');
  });

  it('reads CORS origins as a list', () => {
    expect(
      validateConfig({ ...REQUIRED, CORS_ORIGINS: 'https://a.example,http://b.example:8080' }).corsOrigins,
    ).toEqual(['https://a.example', 'http://b.example:8080']);
  });

  it('treats an empty variable as unset', () => {
    expect(validateConfig({ ...REQUIRED, PORT: '', LOG_LEVEL: '' }).port).toBe(3000);
  });

  it('marks a non-Alpaca data host so responses can say so', () => {
    const c = validateConfig({
      ...REQUIRED,
      APCA_API_DATA_URL: 'http://127.0.0.1:4010/',
      APCA_API_BASE_URL: 'http://127.0.0.1:4011',
    });
    expect(c.alpaca.provider).toBe('non_alpaca_host');
    expect(c.alpaca.dataHost).toBe('127.0.0.1:4010');
    expect(c.alpaca.dataUrl).toBe('http://127.0.0.1:4010');
    expect(c.alpaca.tradingMode).toBe('non_alpaca_host');
  });

  it('recognises the live trading host', () => {
    expect(validateConfig({ ...REQUIRED, APCA_API_BASE_URL: 'https://api.alpaca.markets' }).alpaca.tradingMode).toBe(
      'live',
    );
  });

  it('lists the secrets to redact', () => {
    const c = validateConfig({ ...REQUIRED, METRICS_TOKEN: 'm'.repeat(20) });
    expect(c.secrets()).toEqual(['key-id-0001', 'secret-key-0001', JWT, 'm'.repeat(20)]);
  });
});
