/**
 * `npm run demo`: the Alpaca emulator and the gateway pointed at it, in one process.
 * The data is the emulator's, and every response says so (metadata.provider = non_alpaca_host).
 *
 *   PORT (3000)  EMULATOR_DATA_PORT (4010)  EMULATOR_TRADING_PORT (4011)  EMULATOR_LATENCY_MS (0)
 *   EMULATOR_STREAM_TICK_MS (1000)
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.factory.js';
import { ApiKeyStore } from '../src/auth/api-key-store.js';
import { loadConfigOrExit } from '../src/core/config/load-config.js';
import { AlpacaEmulator } from '../test/emulator/alpaca-emulator.js';

const DEMO_KEY_ID = 'demo-key-id';
const DEMO_SECRET_KEY = 'demo-secret-key';

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? fallback : Number(raw);
}

async function main(): Promise<void> {
  const emulator = new AlpacaEmulator({
    keyId: DEMO_KEY_ID,
    secretKey: DEMO_SECRET_KEY,
    dataPort: port('EMULATOR_DATA_PORT', 4010),
    tradingPort: port('EMULATOR_TRADING_PORT', 4011),
    latencyMs: port('EMULATOR_LATENCY_MS', 0),
    // The emulator's stream endpoints push moving quotes, trades and bars every second.
    streamTickMs: port('EMULATOR_STREAM_TICK_MS', 1000),
  });
  await emulator.start();

  // A throwaway key file, audit file and JWT secret: the demo never touches ./data or real credentials.
  const demoDir = mkdtempSync(join(tmpdir(), 'opitios-demo-'));
  const apiKeysFile = join(demoDir, 'api-keys.json');
  const { key } = new ApiKeyStore(apiKeysFile).create('demo-admin', ['admin']);
  const config = loadConfigOrExit({
    LOG_FORMAT: 'pretty',
    ...process.env,
    JWT_SECRET: randomBytes(32).toString('base64url'),
    API_KEYS_FILE: apiKeysFile,
    AUDIT_LOG_PATH: join(demoDir, 'audit.jsonl'),
    HOST: process.env['HOST'] ?? '127.0.0.1',
    APCA_API_KEY_ID: DEMO_KEY_ID,
    APCA_API_SECRET_KEY: DEMO_SECRET_KEY,
    APCA_API_DATA_URL: emulator.dataUrl,
    APCA_API_BASE_URL: emulator.tradingUrl,
    APCA_API_STREAM_URL: emulator.dataUrl.replace(/^http/, 'ws'),
  });
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  const base = `http://${config.host}:${config.port}`;
  const tokenRes = await fetch(`${base}/api/v1/auth/token`, { method: 'POST', headers: { 'X-API-Key': key } });
  const token = ((await tokenRes.json()) as { data: { access_token: string } }).data.access_token;
  const auth = `-H "Authorization: Bearer $TOKEN"`;
  process.stdout.write(
    [
      '',
      'opitios-alpaca demo (data from the local Alpaca emulator, not from Alpaca)',
      `  Swagger UI    ${base}/docs`,
      `  OpenAPI JSON  ${base}/docs-json`,
      `  emulator      data ${emulator.dataUrl}  trading ${emulator.tradingUrl}`,
      `  API key       ${key}   (role admin; X-API-Key header, or exchange at POST /api/v1/auth/token)`,
      '  token (valid 1 h; paste it into "Authorize" in Swagger UI):',
      `    export TOKEN=${token}`,
      '  try:',
      `    curl -s ${auth} ${base}/api/v1/stocks/AAPL/quote`,
      `    curl -s ${auth} '${base}/api/v1/stocks/AAPL/bars?timeframe=1Day&limit=5'`,
      `    curl -s ${auth} -X POST ${base}/api/v1/stocks/quotes/batch -H 'content-type: application/json' -d '{"symbols":["AAPL","MSFT","ZZZZ"]}'`,
      `    curl -s -H 'X-API-Key: ${key}' ${base}/api/v1/market/clock`,
      '  stream (one upstream socket, fanned out):',
      `    curl -sN ${auth} '${base}/api/v1/stream/events?quotes=AAPL,MSFT&trades=AAPL'`,
      `    npx wscat -c ws://${config.host}:${config.port}/api/v1/stream ${auth}`,
      `      then send: {"action":"subscribe","quotes":["AAPL"],"option_quotes":["AAPL240426C00162500"]}`,
      `  AsyncAPI      ${base}/asyncapi.json`,
      'Ctrl-C stops both.',
      '',
    ].join('\n'),
  );

  const stop = (): void => {
    void app.close().then(() => emulator.stop()).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`demo failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
