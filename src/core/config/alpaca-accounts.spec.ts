import { ConfigValidationError, validateConfig } from './validate-config.js';

const JWT = { JWT_SECRET: 'j'.repeat(32) };
const TWO = {
  ...JWT,
  ALPACA_ACCOUNTS: 'paper,live',
  ALPACA_ACCOUNT_PAPER_KEY_ID: 'paper-key-id',
  ALPACA_ACCOUNT_PAPER_SECRET_KEY: 'paper-secret-value',
  ALPACA_ACCOUNT_LIVE_KEY_ID: 'live-key-id',
  ALPACA_ACCOUNT_LIVE_SECRET_KEY: 'live-secret-value',
  ALPACA_ACCOUNT_LIVE_BASE_URL: 'https://api.alpaca.markets/',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    validateConfig(env);
  } catch (e: unknown) {
    if (e instanceof ConfigValidationError) return e.problems;
    throw e;
  }
  throw new Error('expected the configuration to be refused');
}

describe('accounts configuration', () => {
  it('without ALPACA_ACCOUNTS: one account named default from APCA_*', () => {
    const c = validateConfig({ ...JWT, APCA_API_KEY_ID: 'k', APCA_API_SECRET_KEY: 's' });
    expect(c.accounts.configured).toBe(false);
    expect(c.accounts.list).toEqual([
      {
        name: 'default',
        keyId: 'k',
        secretKey: 's',
        tradingUrl: 'https://paper-api.alpaca.markets',
        tradingHost: 'paper-api.alpaca.markets',
        tradingMode: 'paper',
      },
    ]);
    expect(c.accounts.data.name).toBe('default');
  });

  it('reads each named account, its default paper host, and the data account (first by default)', () => {
    const c = validateConfig(TWO);
    expect(c.accounts.list.map((a) => [a.name, a.keyId, a.tradingHost, a.tradingMode])).toEqual([
      ['paper', 'paper-key-id', 'paper-api.alpaca.markets', 'paper'],
      ['live', 'live-key-id', 'api.alpaca.markets', 'live'],
    ]);
    expect(c.accounts.data.name).toBe('paper');
    // Market data uses the data account's keys; the APCA_* keys are not needed.
    expect(c.alpaca.keyId).toBe('paper-key-id');
    expect(validateConfig({ ...TWO, ALPACA_DATA_ACCOUNT: 'live' }).alpaca.keyId).toBe('live-key-id');
    expect(c.secrets()).toEqual(expect.arrayContaining(['paper-secret-value', 'live-secret-value']));
  });

  it('names the variable of a missing secret, never a value', () => {
    const env: Record<string, string> = { ...TWO };
    delete env['ALPACA_ACCOUNT_LIVE_SECRET_KEY'];
    const problems = problemsOf(env);
    expect(problems).toEqual(['ALPACA_ACCOUNT_LIVE_SECRET_KEY: is required']);
    expect(problems.join('\n')).not.toContain('live-key-id');
  });

  it('refuses a repeated or malformed name and an unknown data account', () => {
    expect(problemsOf({ ...TWO, ALPACA_ACCOUNTS: 'paper,paper' })).toEqual([
      'ALPACA_ACCOUNTS: each account may be named once',
    ]);
    expect(problemsOf({ ...TWO, ALPACA_ACCOUNTS: 'paper,Live-1' })).toEqual([
      'ALPACA_ACCOUNTS: each name must be 1-32 of a-z 0-9 _, starting with a letter',
    ]);
    expect(problemsOf({ ...TWO, ALPACA_DATA_ACCOUNT: 'other' })).toEqual([
      'ALPACA_DATA_ACCOUNT: must be one of the names in ALPACA_ACCOUNTS',
    ]);
  });

  it("in production refuses a trading host that is neither Alpaca's nor loopback", () => {
    const prod = { ...TWO, NODE_ENV: 'production', AUDIT_HMAC_KEY: 'k1:' + 'a'.repeat(64) };
    const problems = problemsOf({ ...prod, ALPACA_ACCOUNT_LIVE_BASE_URL: 'https://broker.example.com' });
    expect(problems).toContain(
      "ALPACA_ACCOUNT_LIVE_BASE_URL: must be Alpaca's trading host (paper-api or api .alpaca.markets) or loopback when NODE_ENV=production",
    );
    expect(problems.join('\n')).not.toContain('broker.example.com');
    const emulated = validateConfig({ ...prod, ALPACA_ACCOUNT_LIVE_BASE_URL: 'http://127.0.0.1:9999' });
    expect(emulated.accounts.list[1]?.tradingMode).toBe('non_alpaca_host');
    // Outside production any host is allowed, and answers say non_alpaca_host.
    expect(
      validateConfig({ ...TWO, ALPACA_ACCOUNT_LIVE_BASE_URL: 'https://broker.example.com' }).accounts.list[1]
        ?.tradingMode,
    ).toBe('non_alpaca_host');
  });

  it('reports a missing APCA key with another refused variable of the section', () => {
    expect(problemsOf({ ...JWT, ALPACA_STOCK_FEED: 'nope', APCA_API_SECRET_KEY: 's' })).toEqual([
      'ALPACA_STOCK_FEED: must be one of the following values: iex, sip, delayed_sip, otc, boats, overnight',
      'APCA_API_KEY_ID: is required unless ALPACA_ACCOUNTS is set',
    ]);
  });
});
