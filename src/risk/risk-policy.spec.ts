import { appliesTo, parsePolicyFile, RiskPolicyError, RULE_NAMES } from './risk-policy.js';

const FILE = 'policy.yaml';
const parse = (text: string, file = FILE) => parsePolicyFile(text, file);
const failure = (text: string, file = FILE): string => {
  try {
    parse(text, file);
  } catch (e: unknown) {
    if (e instanceof RiskPolicyError) return e.message;
    throw e;
  }
  throw new Error('parsed');
};

describe('risk policy file', () => {
  it('reads an example policy as JSON and the same as YAML', () => {
    const json = `{"policies": {
      "default": {"max_order_notional": 5000, "symbols_denied": ["GME"]},
      "bots": {"symbols_allowed": ["AAPL", "msft"], "max_order_qty": 100, "price_band_pct": 5,
               "max_orders_per_minute": 30, "order_types": ["limit"], "allow_options": false}}}`;
    const yaml = [
      'policies:',
      '  default:',
      '    max_order_notional: 5000',
      '    symbols_denied: [GME]',
      '  bots:',
      '    symbols_allowed: [AAPL, msft]',
      '    max_order_qty: 100',
      '    price_band_pct: 5',
      '    max_orders_per_minute: 30',
      '    order_types: [limit]',
      '    allow_options: false',
    ].join('\n');
    for (const set of [parse(json, 'p.json'), parse(yaml, 'p.yml'), parse(json, 'p.yaml')]) {
      expect([...set.policies.keys()]).toEqual(['default', 'bots']);
      expect(set.policies.get('default')).toEqual({ max_order_notional: 5000, symbols_denied: ['GME'] });
      // Symbols are compared upper-cased.
      expect(set.policies.get('bots')).toEqual({
        symbols_allowed: ['AAPL', 'MSFT'],
        max_order_qty: 100,
        price_band_pct: 5,
        max_orders_per_minute: 30,
        order_types: ['limit'],
        allow_options: false,
      });
    }
  });

  it('knows every rule of the design', () => {
    expect(RULE_NAMES).toEqual([
      'symbols_allowed',
      'symbols_denied',
      'max_order_qty',
      'max_order_notional',
      'price_band_pct',
      'max_orders_per_minute',
      'max_open_orders',
      'max_position_qty',
      'max_daily_notional',
      'allow_short',
      'allow_options',
      'order_types',
      'reduce_only',
    ]);
    const all =
      '{"policies": {"all": {"symbols_allowed": ["A"], "symbols_denied": ["B"], "max_order_qty": 1.5, "max_order_notional": 0.01, "price_band_pct": 0.0001, ' +
      '"max_orders_per_minute": 0, "max_open_orders": 499, "max_position_qty": 0.000000001, "max_daily_notional": 1000000000000, "allow_short": false, ' +
      '"allow_options": true, "order_types": ["market", "trailing_stop"], "reduce_only": true}, "empty": {}}}';
    expect(Object.keys(parse(all, 'x.json').policies.get('all') ?? {})).toEqual(RULE_NAMES);
    expect(parse(all, 'x.json').policies.get('empty')).toEqual({});
  });

  it.each([
    [
      'a negative limit',
      'max_order_qty: -1',
      'policy "bots", rule max_order_qty: must be a number from 0 to 1000000000 with at most 9 decimal places',
    ],
    ['a string limit', 'max_order_notional: "5000"', 'policy "bots", rule max_order_notional: must be a number of USD'],
    [
      'sub-cent USD',
      'max_daily_notional: 10.001',
      'policy "bots", rule max_daily_notional: must be a number of USD from 0 to 1000000000000 with at most 2 decimal places',
    ],
    [
      'a fractional count',
      'max_orders_per_minute: 2.5',
      'policy "bots", rule max_orders_per_minute: must be a whole number',
    ],
    [
      'more open orders than one page',
      'max_open_orders: 500',
      'policy "bots", rule max_open_orders: must be a whole number from 0 to 499',
    ],
    [
      'an unknown order type',
      'order_types: [limit, moc]',
      'policy "bots", rule order_types: must be a non-empty list of order types',
    ],
    ['a yes/no as a string', 'allow_short: "no"', 'policy "bots", rule allow_short: must be true or false'],
    [
      'an empty symbol list',
      'symbols_allowed: []',
      'policy "bots", rule symbols_allowed: must be a non-empty list of symbols',
    ],
    [
      'a bad symbol',
      'symbols_denied: ["AAPL; rm"]',
      'policy "bots", rule symbols_denied: must be a non-empty list of symbols',
    ],
    ['a misspelt rule', 'max_order_qtty: 10', 'policy "bots": unknown rule "max_order_qtty" (rules: symbols_allowed, '],
    [
      'a percent past 1000',
      'price_band_pct: 1000.5',
      'policy "bots", rule price_band_pct: must be a percentage from 0 to 1000',
    ],
  ])('%s is refused naming the policy and the rule', (_label, line, message) => {
    const text = `policies:\n  default: {}\n  bots:\n    allow_options: true\n    ${line}\n`;
    expect(failure(text)).toContain(`RISK_POLICY_FILE ${FILE}: ${message}`);
  });

  it('refuses a file that is not a policy file, naming what is wrong', () => {
    expect(failure('max_order_qty: 10')).toBe(
      `RISK_POLICY_FILE ${FILE}: must be {"policies": {"NAME": {rule: limit, …}, …}}`,
    );
    expect(failure('policies:\n  "bad name": {}')).toContain('(policy name "bad name": letters, digits, . _ - only)');
    expect(failure('policies:\n  bots: [1, 2]')).toContain('policy "bots" must be an object of rules');
    expect(failure('policies: {bots: {max_order_qty: [}', FILE)).toMatch(
      /^RISK_POLICY_FILE policy\.yaml: not valid YAML: /,
    );
    expect(failure('{"policies": ', 'p.json')).toMatch(/^RISK_POLICY_FILE p\.json: not valid JSON: /);
  });

  it('reads `accounts`, the accounts a policy applies to (absent: every one), apart from its rules', () => {
    const yaml = [
      'policies:',
      '  default:',
      '    max_order_qty: 10',
      '    accounts: [live]',
      '  bots:',
      '    max_order_qty: 5',
      '    accounts: [paper, live]',
      '  open:',
      '    max_order_qty: 1',
      '  scoped_empty:',
      '    accounts: [live]',
    ].join('\n');
    const set = parse(yaml);
    // `accounts` is not a rule: the rules read as before.
    expect(set.policies.get('default')).toEqual({ max_order_qty: 10 });
    expect(set.policies.get('scoped_empty')).toEqual({});
    expect(Object.fromEntries(set.accounts)).toEqual({
      default: ['live'],
      bots: ['paper', 'live'],
      scoped_empty: ['live'],
    });
    expect(['paper', 'live', 'default'].map((a) => appliesTo(set, 'default', a))).toEqual([false, true, false]);
    expect(['paper', 'live', 'other'].map((a) => appliesTo(set, 'bots', a))).toEqual([true, true, false]);
    expect(['paper', 'live', 'default'].map((a) => appliesTo(set, 'open', a))).toEqual([true, true, true]);
    // The same from JSON.
    const json = parse('{"policies": {"default": {"max_order_qty": 10, "accounts": ["live"]}}}', 'p.json');
    expect(Object.fromEntries(json.accounts)).toEqual({ default: ['live'] });
  });

  it.each([
    ['an empty list', 'accounts: []'],
    ['one name, not a list', 'accounts: live'],
    ['an upper-case name', 'accounts: [Live]'],
    ['a name starting with a digit', 'accounts: [1live]'],
    ['a name with a dash', 'accounts: [paper-1]'],
    ['a name past 32 characters', `accounts: [a${'b'.repeat(32)}]`],
    ['a repeated name', 'accounts: [live, paper, live]'],
    ['a number', 'accounts: [7]'],
  ])('accounts as %s is refused naming the policy', (_label, line) => {
    const text = `policies:\n  default: {}\n  bots:\n    max_order_qty: 1\n    ${line}\n`;
    expect(failure(text)).toBe(
      `RISK_POLICY_FILE ${FILE}: policy "bots", accounts: must be a non-empty list of account names, each once (1-32 of a-z 0-9 _, starting with a letter, as in ALPACA_ACCOUNTS)`,
    );
  });
});
