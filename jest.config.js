// Nest 12 ships as ESM only, and on Node 20 Jest loads ESM only in its native ESM mode
// (npm test runs node --experimental-vm-modules). ts-jest compiles our TypeScript to ESM.
const tsJest = ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }];
const common = {
  testEnvironment: 'node',
  rootDir: '.',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': tsJest },
};
export default {
  // Each e2e test boots the application (some spawn CLIs or send floods): on a 2-core machine under
  // load, Jest's 5 s default timed some out that pass alone; a test that hangs still fails. A global
  // option: Jest reads the test timeout from the global configuration, not from a project's (a
  // project-level testTimeout is silently ignored).
  testTimeout: 20_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/src', '<rootDir>/test/emulator', '<rootDir>/test/unit'],
      testMatch: ['**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      roots: ['<rootDir>/test/e2e'],
      testMatch: ['**/*.e2e-spec.ts'],
    },
    // Against real services (REDIS_URL, DATABASE_URL); run by npm run test:integration. The run
    // creates a PostgreSQL database of its own on DATABASE_URL's server and drops it at the end.
    {
      ...common,
      displayName: 'integration',
      roots: ['<rootDir>/test/integration'],
      testMatch: ['**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/integration/global-setup.mjs',
      globalTeardown: '<rootDir>/test/integration/global-teardown.mjs',
    },
    // Swagger UI in headless Chromium (/usr/bin/chromium); run by npm run test:browser.
    { ...common, displayName: 'browser', roots: ['<rootDir>/test/browser'], testMatch: ['**/*.browser-spec.ts'] },
  ],
};
