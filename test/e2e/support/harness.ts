import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import jwt from 'jsonwebtoken';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createApp } from '../../../src/app.factory.js';
import { validateConfig } from '../../../src/core/config/validate-config.js';
import { UpstreamResilience } from '../../../src/alpaca/http/resilience/upstream-resilience.js';
import { MarketCache } from '../../../src/core/cache/market-cache.js';
import type { Clock } from '../../../src/core/time/clock.js';
import type { TracingOptions } from '../../../src/core/telemetry/tracing.js';
import { gatewayAccountsEnv } from '../../emulator/accounts/gateway-env.js';
import { AlpacaEmulator, type EmulatorOptions } from '../../emulator/alpaca-emulator.js';

/** Long enough to be redacted, distinctive enough to grep for in logs and bodies. */
export const KEY_ID = 'PKTESTKEYID0123456789';
export const SECRET_KEY = 'sk-test-secret-abcdefghijklmnopqrstuvwxyz';
export const JWT_SECRET = 'jwt-test-secret-0123456789-abcdefghijklmnop';
export const ISSUER = 'opitios-alpaca';
export const AUDIENCE = 'opitios-alpaca-api';

/** A token as the gateway would issue it; `overrides` forge the bad ones. */
export function tokenFor(
  roles: string[],
  overrides: {
    sub?: string;
    secret?: string;
    issuer?: string;
    audience?: string;
    expiresIn?: number;
    algorithm?: jwt.Algorithm;
    /** The `accounts` claim (absent: an unbound token, the first configured account). */
    accounts?: string[];
  } = {},
): string {
  const claims = overrides.accounts === undefined ? { roles } : { roles, accounts: overrides.accounts };
  return jwt.sign(claims, overrides.secret ?? JWT_SECRET, {
    subject: overrides.sub ?? `test-${roles.join('-')}`,
    issuer: overrides.issuer ?? ISSUER,
    audience: overrides.audience ?? AUDIENCE,
    expiresIn: overrides.expiresIn ?? 600,
    algorithm: overrides.algorithm ?? 'HS256',
  });
}

export interface Gateway {
  app: NestExpressApplication;
  emulator: AlpacaEmulator;
  /** Requests as an admin (every permission), so feature tests need no auth code. */
  http: () => ReturnType<typeof request.agent>;
  /** Emulator back to its fixtures; the gateway's cache, circuits and upstream budget back to fresh. */
  reset: () => Promise<void>;
  /** Requests with no credentials at all. */
  anon: () => ReturnType<typeof request>;
  apiKeysFile: string;
  /** The JSONL audit trail of this gateway (unless DATABASE_URL is given). */
  auditFile: string;
  /** Every log line the gateway wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  rawLogs: string[];
  /**
   * Closes the app (and the emulator unless shared) but keeps the data directory, for a test that
   * reads what the gateway writes at shutdown. Runs once however often called; close() must follow.
   */
  shutdown: () => Promise<void>;
  /**
   * shutdown() unless done, then deletes the gateway's data directory (key file, audit file); then
   * fails if any upstream request the gateway sent was not a valid call of Alpaca's spec.
   */
  close: () => Promise<void>;
}

/**
 * One gateway for a whole test file, reset before each test: registers the file's hooks (start,
 * close, reset) and hands the gateway to `use` once it has started.
 */
export function gatewayPerFile(use: (gw: Gateway) => void): void {
  let gw: Gateway | undefined;
  beforeAll(async () => {
    gw = await startGateway();
    use(gw);
  });
  afterAll(async () => {
    await gw?.close();
  });
  beforeEach(async () => {
    await gw?.reset();
  });
}

/**
 * Boots the Alpaca emulator and the real gateway (createApp, as production) pointed at it.
 * `env` overrides or adds configuration; the emulator's credentials match unless overridden.
 */
export async function startGateway(
  env: Record<string, string> = {},
  emulatorOptions: EmulatorOptions = {},
  shared?: AlpacaEmulator,
  gatewayOptions: { clock?: Clock; tracing?: TracingOptions } = {},
): Promise<Gateway> {
  // Tests send far more than Alpaca's 200 calls a minute; the budget has its own tests.
  // A shared emulator (several gateways in front of one "Alpaca") is started and stopped by its owner.
  // Every upstream request of the suite is checked against Alpaca's spec (see close()).
  const emulator =
    shared ??
    new AlpacaEmulator({
      // Several accounts (emulatorOptions.accounts) bring their own keys.
      ...(emulatorOptions.accounts === undefined ? { keyId: KEY_ID, secretKey: SECRET_KEY } : {}),
      rateLimitPerMinute: 1_000_000,
      specCheck: true,
      ...emulatorOptions,
    });
  if (shared === undefined) await emulator.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'opitios-gw-'));
  const apiKeysFile = join(dataDir, 'api-keys.json');
  const auditFile = join(dataDir, 'audit.jsonl');
  const rawLogs: string[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done): void {
      const line = chunk.toString('utf8');
      rawLogs.push(line);
      logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  let app: NestExpressApplication;
  try {
    const config = validateConfig({
      APCA_API_KEY_ID: KEY_ID,
      APCA_API_SECRET_KEY: SECRET_KEY,
      APCA_API_DATA_URL: emulator.dataUrl,
      APCA_API_BASE_URL: emulator.tradingUrl,
      // The emulator serves Alpaca's stream endpoints on its data listener.
      APCA_API_STREAM_URL: emulator.dataUrl.replace(/^http/, 'ws'),
      LOG_LEVEL: 'debug',
      JWT_SECRET,
      API_KEYS_FILE: apiKeysFile,
      AUDIT_LOG_PATH: auditFile,
      API_KEYS_RELOAD_MS: '0',
      // Feature tests send many requests quickly; the limits have their own tests.
      RATE_LIMIT_BURST_PER_SECOND: '100000',
      RATE_LIMIT_PREMIUM_PER_HOUR: '1000000',
      // Feature tests send refused requests on purpose; the lockout has its own tests.
      AUTH_MAX_FAILURES: '1000',
      // Feature tests inject many faults; the breaker and the upstream budget have their own tests.
      CIRCUIT_FAILURE_THRESHOLD: '10000',
      CIRCUIT_FAILURE_RATIO_PERCENT: '0',
      ALPACA_DATA_RATE_LIMIT_PER_MIN: '100000',
      ALPACA_TRADING_RATE_LIMIT_PER_MIN: '100000',
      // An emulator serving several accounts configures the gateway with the same ones (a test's own env still wins).
      ...gatewayAccountsEnv(emulator),
      ...env,
    });
    app = await createApp(config, { logSink: sink, clock: gatewayOptions.clock, tracing: gatewayOptions.tracing });
  } catch (e: unknown) {
    // A gateway that failed to boot leaves nothing behind either.
    rmSync(dataDir, { recursive: true, force: true });
    if (shared === undefined) await emulator.stop();
    throw e;
  }
  let closing: Promise<void> | undefined;
  const shutDown = (): Promise<void> =>
    (closing ??= (async (): Promise<void> => {
      await app.close();
      if (shared === undefined) await emulator.stop();
    })());
  return {
    app,
    emulator,
    http: () => request.agent(app.getHttpServer()).set('Authorization', `Bearer ${tokenFor(['admin'])}`),
    anon: () => request(app.getHttpServer()),
    reset: async () => {
      emulator.reset();
      app.get(UpstreamResilience).reset();
      await app.get(MarketCache).clear();
    },
    apiKeysFile,
    auditFile,
    logs,
    rawLogs,
    shutdown: shutDown,
    close: async () => {
      try {
        await shutDown();
      } finally {
        // After the app has closed: its audit store and key store hold files in here until then.
        rmSync(dataDir, { recursive: true, force: true });
      }
      expectSpecValid(emulator);
    },
  };
}

/** Every upstream request the emulator recorded so far was a valid call of Alpaca's spec. */
export function expectSpecValid(emulator: AlpacaEmulator): void {
  expect(emulator.specViolations).toEqual([]);
}

/** Asserts the catalog error envelope and its headers; returns the body for further checks. */
export function expectCatalogError(res: request.Response, status: number, code: string): Record<string, unknown> {
  expect({ status: res.status, code: (res.body as { error?: { code?: string } }).error?.code }).toEqual({
    status,
    code,
  });
  expect(res.headers['x-error-code']).toBe(code);
  expect(typeof res.headers['x-error-type']).toBe('string');
  expect(res.headers['x-request-id']).toMatch(/^req_[0-9a-f]{32}$|^[A-Za-z0-9._:-]{8,128}$/);
  const body = res.body as { error: Record<string, unknown>; metadata: Record<string, unknown> };
  expect(Object.keys(body).sort()).toEqual(['error', 'metadata']);
  expect(body.metadata['request_id']).toBe(res.headers['x-request-id']);
  expect(Array.isArray(body.metadata['suggested_actions'])).toBe(true);
  expect(JSON.stringify(body)).not.toMatch(/at .+\.(ts|js):\d+/);
  return body.error;
}

/** Polls until `check` passes (or resolves, when it is async) or the deadline expires (no blind sleeps). */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (e: unknown) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
