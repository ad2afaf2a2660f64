/**
 * Runs the Alpaca emulator standalone (for `npm run demo`, manual curl sessions, other
 * processes). Control it over HTTP at /__emulator/* on either port.
 *
 *   EMULATOR_DATA_PORT (4010)  EMULATOR_TRADING_PORT (4011)  EMULATOR_LATENCY_MS (0)
 *   EMULATOR_KEY_ID (emulator-key-id)  EMULATOR_SECRET_KEY (emulator-secret-key)
 */
import { AlpacaEmulator } from '../test/emulator/alpaca-emulator.js';

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

async function main(): Promise<void> {
  const emulator = new AlpacaEmulator({
    dataPort: intFromEnv('EMULATOR_DATA_PORT', 4010),
    tradingPort: intFromEnv('EMULATOR_TRADING_PORT', 4011),
    latencyMs: intFromEnv('EMULATOR_LATENCY_MS', 0),
    keyId: process.env.EMULATOR_KEY_ID || undefined,
    secretKey: process.env.EMULATOR_SECRET_KEY || undefined,
  });
  await emulator.start();
  process.stdout.write(`Alpaca emulator data host:    ${emulator.dataUrl}\n`);
  process.stdout.write(`Alpaca emulator trading host: ${emulator.tradingUrl}\n`);

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
