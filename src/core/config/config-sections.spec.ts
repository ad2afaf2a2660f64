import { CONFIG_SECTIONS } from './sections/index.js';
import { ConfigValidationError, validateConfig } from './validate-config.js';

const REQUIRED = { APCA_API_KEY_ID: 'key-id-0001', APCA_API_SECRET_KEY: 'secret-key-0001', JWT_SECRET: 'j'.repeat(32) };

function problemsOf(env: Record<string, string>): string[] {
  try {
    validateConfig(env);
  } catch (e: unknown) {
    if (e instanceof ConfigValidationError) return e.problems;
    throw e;
  }
  throw new Error('expected the configuration to be refused');
}

describe('configuration sections', () => {
  it('each variable is read by exactly one section', () => {
    const names = CONFIG_SECTIONS.flatMap((section) => Object.keys(section.in.shape));
    expect(names.length).toBeGreaterThan(90);
    expect(new Set(names).size).toBe(names.length);
  });

  it('a rule over two variables still sees a refused number (both lines, each once)', () => {
    expect(problemsOf({ ...REQUIRED, JWT_MAX_TTL_SECONDS: '30' })).toEqual([
      'JWT_MAX_TTL_SECONDS: must not be less than 60',
      'JWT_TTL_SECONDS: must not exceed JWT_MAX_TTL_SECONDS',
    ]);
  });

  it('a refused variable counts as set for the rules naming it', () => {
    // JWT_SECRETS is refused on its own; JWT_SECRET is not also "required unless JWT_SECRETS is set".
    expect(problemsOf({ APCA_API_KEY_ID: 'k', APCA_API_SECRET_KEY: 's', JWT_SECRETS: 'kid-without-secret' })).toEqual([
      'JWT_SECRETS: must be comma-separated kid:secret pairs (kid: letters, digits, . _ -; secret: at least 32 characters, no comma or space)',
    ]);
    expect(problemsOf({ ...REQUIRED, JWT_SECRETS: `a:${'x'.repeat(32)},a:${'y'.repeat(32)}` })).toEqual([
      'JWT_SECRETS: each kid may appear once',
    ]);
  });

  it('own problems first, then rules, then missing variables', () => {
    expect(problemsOf({ JWT_JWKS_URL: 'https://idp.example/jwks', BODY_MAX_DEPTH: '1' })).toEqual([
      'BODY_MAX_DEPTH: must not be less than 2',
      'JWT_SECRET: required unless JWT_SECRETS is set',
      'JWT_JWKS_URL: needs JWT_JWKS_ISSUER and JWT_JWKS_AUDIENCE (tokens are checked against both)',
      'APCA_API_KEY_ID: is required unless ALPACA_ACCOUNTS is set',
      'APCA_API_SECRET_KEY: is required unless ALPACA_ACCOUNTS is set',
    ]);
  });
});
