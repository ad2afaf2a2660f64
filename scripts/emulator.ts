/**
 * Runs the Alpaca emulator standalone (for `npm run demo`, manual curl sessions, other
 * processes). Control it over HTTP at /__emulator/* on either port. It runs with liveData: fixture
 * prices stamped with the current time, and a clock following a 09:30-16:00 New-York weekday
 * session; and with liveDates: fixture dates follow today (unexpired option contracts, recent
 * news and bars), values unchanged.
 *
 *   EMULATOR_DATA_PORT (4010)  EMULATOR_TRADING_PORT (4011)  EMULATOR_LATENCY_MS (0)
 *   EMULATOR_KEY_ID (emulator-key-id)  EMULATOR_SECRET_KEY (emulator-secret-key)
 *   EMULATOR_STREAM_TICK_MS (1000; 0 = no ticks)
 */
import { randomBytes } from 'node:crypto';
import { AlpacaEmulator } from '../test/emulator/alpaca-emulator.js';
import { STREAM_ENDPOINTS } from '../test/emulator/stream/stream-protocol.js';

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

async function main(): Promise<void> {
  const tickMs = intFromEnv('EMULATOR_STREAM_TICK_MS', 1000);
  const emulator = new AlpacaEmulator({
    dataPort: intFromEnv('EMULATOR_DATA_PORT', 4010),
    tradingPort: intFromEnv('EMULATOR_TRADING_PORT', 4011),
    latencyMs: intFromEnv('EMULATOR_LATENCY_MS', 0),
    keyId: process.env.EMULATOR_KEY_ID || undefined,
    secretKey: process.env.EMULATOR_SECRET_KEY || undefined,
    // Without ticks a stream client would subscribe and then hear nothing.
    streamTickMs: tickMs === 0 ? undefined : tickMs,
    liveData: true,
    // Fixture dates follow today: unexpired option contracts, recent news and bars (values fixed).
    liveDates: true,
  });
  await emulator.start();
  const streamBase = emulator.dataUrl.replace(/^http/, 'ws');
  process.stdout.write(
    [
      'Alpaca emulator (fixture prices stamped with the current time; clock: 09:30-16:00 New York, weekdays)',
      `  data     ${emulator.dataUrl}`,
      `  trading  ${emulator.tradingUrl}`,
      `  stream   ${emulator.streamUrl('/v2/iex')}   (also ${STREAM_ENDPOINTS.filter((e) => e !== '/v2/iex').join(', ')})`,
      `  key id   ${emulator.keyId}        (header APCA-API-KEY-ID)`,
      `  secret   ${emulator.secretKey}    (header APCA-API-SECRET-KEY)`,
      // Complete: the gateway refuses to boot without JWT_SECRET, so a line without one failed as pasted.
      '  gateway env (everything the gateway needs; JWT_SECRET is new each run; prefix `npm start` with it after `npm run build`):',
      `    APCA_API_KEY_ID=${emulator.keyId} APCA_API_SECRET_KEY=${emulator.secretKey} APCA_API_DATA_URL=${emulator.dataUrl} APCA_API_BASE_URL=${emulator.tradingUrl} APCA_API_STREAM_URL=${streamBase} JWT_SECRET=${randomBytes(32).toString('base64url')}`,
      '',
    ].join('\n'),
  );

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal} received, stopping the emulator\n`);
    emulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`emulator did not stop cleanly: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`emulator failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
