/**
 * `npm run demo`: the Alpaca emulator and the gateway pointed at it, in one process.
 * The data is the emulator's, and every response says so (metadata.provider = non_alpaca_host).
 * The emulator runs with liveData: fixture prices stamped with the current time, and a clock that
 * follows a 09:30-16:00 New-York weekday session; and with liveDates: fixture dates follow today
 * (option expirations the Fridays after today, recent news and bars), values unchanged.
 *
 *   PORT (3000)  EMULATOR_DATA_PORT (4010)  EMULATOR_TRADING_PORT (4011)  EMULATOR_LATENCY_MS (0)
 *   EMULATOR_STREAM_TICK_MS (1000)
 */
import 'reflect-metadata';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.factory.js';
import { ApiKeyStore } from '../src/auth/api-keys/api-key-store.js';
import { loadConfigOrExit } from '../src/core/config/load-config.js';
import { listenOrExit } from '../src/core/lifecycle/listen-or-exit.js';
import { AlpacaEmulator } from '../test/emulator/alpaca-emulator.js';
import { gatewayAccountsEnv } from '../test/emulator/accounts/gateway-env.js';

/**
 * Two Alpaca accounts on the one emulator, as a gateway serving a paper and a live account sees
 * them (ALPACA_ACCOUNTS=paper,live); "live" is only a name here, both trade on the emulator.
 */
const DEMO_ACCOUNTS = [
  { name: 'paper', keyId: 'demo-key-id', secretKey: 'demo-secret-key' },
  { name: 'live', keyId: 'demo-live-key-id', secretKey: 'demo-live-secret-key' },
];
/** What the printed order line sends: far enough below AAPL's fixture price (~172) to rest unfilled. */
const DEMO_ORDER = '{"symbol":"AAPL","qty":"1","side":"buy","type":"limit","limit_price":"150","time_in_force":"day"}';
/** The same order 100 times over: past the trader key's risk policy (max_order_qty 10), so it is refused before Alpaca. */
const DEMO_REFUSED_ORDER =
  '{"symbol":"AAPL","qty":"100","side":"buy","type":"limit","limit_price":"150","time_in_force":"day"}';
/** The trader key's small risk policy (RISK_POLICY_FILE; edit the file while the demo runs: it is reloaded). */
const DEMO_RISK_POLICY = [
  '# opitios-alpaca risk policies (README, "Risk gate"): the demo trader key names "demo-trader".',
  'policies:',
  '  demo-trader:',
  '    symbols_allowed: [AAPL, MSFT, TSLA]',
  '    max_order_qty: 10',
  '    max_order_notional: 5000',
  '    max_orders_per_minute: 30',
  '    allow_options: false',
  '',
].join('\n');

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? fallback : Number(raw);
}

/** Exchanges an API key for a bearer token, as a client would (POST /api/v1/auth/token). */
async function tokenFor(base: string, key: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/token`, { method: 'POST', headers: { 'X-API-Key': key } });
  if (!res.ok) throw new Error(`POST /api/v1/auth/token answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { data: { access_token: string } }).data.access_token;
}

async function main(): Promise<void> {
  const dataPort = port('EMULATOR_DATA_PORT', 4010);
  const tradingPort = port('EMULATOR_TRADING_PORT', 4011);
  const emulator = new AlpacaEmulator({
    accounts: DEMO_ACCOUNTS,
    dataPort,
    tradingPort,
    latencyMs: port('EMULATOR_LATENCY_MS', 0),
    // The emulator's stream endpoints push moving quotes, trades and bars every second.
    streamTickMs: port('EMULATOR_STREAM_TICK_MS', 1000),
    // REST quotes, bars and the market clock follow the current time instead of 2022's fixtures.
    liveData: true,
    // Fixture dates follow today: unexpired option contracts, recent news and bars (values fixed).
    liveDates: true,
  });
  await listenOrExit(
    () => emulator.start(),
    [
      { name: 'EMULATOR_DATA_PORT', port: dataPort },
      { name: 'EMULATOR_TRADING_PORT', port: tradingPort },
    ],
  );

  // A throwaway key file, audit file and JWT secret: the demo never touches ./data or real credentials.
  const demoDir = mkdtempSync(join(tmpdir(), 'opitios-demo-'));
  // 'exit' runs on every way out (Ctrl-C and SIGTERM below, a failed boot's exit 1); rmSync because
  // exit handlers cannot wait.
  process.once('exit', () => rmSync(demoDir, { recursive: true, force: true }));
  // Registered before the slow part of the boot, so an early Ctrl-C still ends through 'exit'.
  let closeGateway = (): Promise<void> => Promise.resolve();
  const stop = (): void => {
    void closeGateway()
      .then(() => emulator.stop())
      .then(
        () => process.exit(0),
        (e: unknown) => {
          process.stderr.write(`demo stop failed: ${e instanceof Error ? e.message : String(e)}\n`);
          process.exit(1);
        },
      );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const apiKeysFile = join(demoDir, 'api-keys.json');
  const auditLogPath = join(demoDir, 'audit.jsonl');
  const keys = new ApiKeyStore(apiKeysFile);
  const { key } = keys.create('demo-admin', ['admin']);
  // Admin reads everything but does not trade (roles.ts): placing orders takes role trader.
  // Its orders pass a small risk policy first (the printed "refused" line shows one that does not).
  const riskPolicyFile = join(demoDir, 'risk-policy.yaml');
  writeFileSync(riskPolicyFile, DEMO_RISK_POLICY);
  // Bound to both accounts (paper first, its default); a request picks one with X-Alpaca-Account.
  const accountNames = DEMO_ACCOUNTS.map((a) => a.name);
  const { key: traderKey, record: traderRecord } = keys.create(
    'demo-trader',
    ['trader'],
    new Date(),
    'demo-trader',
    accountNames,
  );
  // A key for each account (role trader, bound to that account alone; they only read here).
  const accountKeys = DEMO_ACCOUNTS.map((a) => ({
    account: a.name,
    key: keys.create(`demo-${a.name}`, ['trader'], new Date(), null, [a.name]).key,
  }));
  const [paperKey, liveKey] = accountKeys;
  // The integrity features on, with keys of this run only: a keyed audit chain with signed
  // checkpoints, and signed responses (public key at /.well-known/jwks.json).
  const ed25519Pem = (): string =>
    generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const auditHmacKey = `demo:${randomBytes(32).toString('base64url')}`;
  const config = loadConfigOrExit({
    LOG_FORMAT: 'pretty',
    AUDIT_HMAC_KEY: auditHmacKey,
    AUDIT_SIGNING_KEY: ed25519Pem(),
    RESPONSE_SIGNING_KEY: ed25519Pem(),
    ...process.env,
    JWT_SECRET: randomBytes(32).toString('base64url'),
    API_KEYS_FILE: apiKeysFile,
    AUDIT_LOG_PATH: auditLogPath,
    RISK_POLICY_FILE: riskPolicyFile,
    HOST: process.env['HOST'] ?? '127.0.0.1',
    ...gatewayAccountsEnv(emulator),
    // The data account (ALPACA_DATA_ACCOUNT) is the first, paper.
    APCA_API_DATA_URL: emulator.dataUrl,
    APCA_API_BASE_URL: emulator.tradingUrl,
    APCA_API_STREAM_URL: emulator.dataUrl.replace(/^http/, 'ws'),
  });
  const gateway = await createApp(config);
  closeGateway = () => gateway.close();
  await listenOrExit(() => gateway.listen(config.port, config.host), [{ name: 'PORT' }, { name: 'HOST' }]);
  const base = `http://${config.host}:${config.port}`;
  const token = await tokenFor(base, key);
  const traderToken = await tokenFor(base, traderKey);
  const auth = `-H "Authorization: Bearer $TOKEN"`;
  const traderAuth = `-H "Authorization: Bearer $TRADER_TOKEN"`;
  // The order's id is read from the answer (data.id) so that the cancel line runs as printed.
  const readOrderId = `node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).data.id'`;
  process.stdout.write(
    [
      '',
      'opitios-alpaca demo (data from the local Alpaca emulator, not from Alpaca; prices are fixtures stamped with the current time)',
      `  Swagger UI    ${base}/docs`,
      `  OpenAPI JSON  ${base}/docs-json`,
      `  emulator      data ${emulator.dataUrl}  trading ${emulator.tradingUrl}`,
      `  API key       ${key}   (role admin: reads everything, does not trade; X-API-Key header, or exchange at POST /api/v1/auth/token)`,
      `  trader key    ${traderKey}   (role trader: places and cancels orders; accounts ${accountNames.join(', ')})`,
      '  tokens (valid 1 h; paste one into "Authorize" in Swagger UI):',
      `    export TOKEN=${token}`,
      `    export TRADER_TOKEN=${traderToken}`,
      `  key file      ${apiKeysFile}   (re-read every ${config.apiKeysReloadMs} ms; ./data/api-keys.json is not used here)`,
      "    add a key this demo accepts (audited in the demo's own trail, not ./data):",
      `    AUDIT_HMAC_KEY=${config.audit.hmacKey === null ? '' : `${config.audit.hmacKey.kid}:${config.audit.hmacKey.secret}`} AUDIT_LOG_PATH=${auditLogPath} API_KEYS_FILE=${apiKeysFile} npm run apikey -- create --name mybot --roles premium`,
      '  try:',
      `    curl -s ${auth} ${base}/api/v1/stocks/AAPL/quote`,
      `    curl -s ${auth} '${base}/api/v1/stocks/AAPL/bars?timeframe=1Day&limit=5&sort=desc'`,
      `    curl -s ${auth} -X POST ${base}/api/v1/stocks/quotes/batch -H 'content-type: application/json' -d '{"symbols":["AAPL","MSFT","ZZZZ"]}'`,
      `    curl -s -H 'X-API-Key: ${key}' ${base}/api/v1/market/clock`,
      '  trade (TRADER_TOKEN): place a limit order, then cancel it:',
      `    export ORDER_ID=$(curl -s ${traderAuth} -H "Idempotency-Key: demo-$RANDOM" -H 'content-type: application/json' -X POST ${base}/api/v1/orders -d '${DEMO_ORDER}' | tee /dev/stderr | ${readOrderId})`,
      `    curl -s ${traderAuth} -X DELETE ${base}/api/v1/orders/$ORDER_ID`,
      `  accounts: ${accountNames.join(' and ')} (ALPACA_ACCOUNTS=${accountNames.join(',')}, both on the emulator); the trader key may use both, paper unless X-Alpaca-Account says otherwise`,
      ...accountNames.map((a) => `    curl -s ${traderAuth} -H 'X-Alpaca-Account: ${a}' ${base}/api/v1/account`),
      ...accountKeys.map(
        ({ account, key: k }) => `  ${`${account} key`.padEnd(13)} ${k}   (role trader, bound to ${account} only)`,
      ),
      `    curl -s -H 'X-API-Key: ${paperKey?.key ?? ''}' ${base}/api/v1/account`,
      `    curl -s -H 'X-API-Key: ${liveKey?.key ?? ''}' -H 'X-Alpaca-Account: paper' ${base}/api/v1/account   # 403 ACCOUNT_NOT_ALLOWED: live's key`,
      `  risk gate: the trader key trades under policy "demo-trader" of ${riskPolicyFile} (max_order_qty 10, max_order_notional 5000, …; edit it, it is reloaded)`,
      '    this order is refused before it reaches Alpaca (422 RISK_LIMIT_EXCEEDED, details.rule max_order_qty):',
      `    curl -s ${traderAuth} -H 'content-type: application/json' -X POST ${base}/api/v1/orders -d '${DEMO_REFUSED_ORDER}'`,
      '  stream (one upstream socket, fanned out):',
      `    curl -sN ${auth} '${base}/api/v1/stream/events?quotes=AAPL,MSFT&trades=AAPL'`,
      `    npx -y wscat -c ws://${config.host}:${config.port}/api/v1/stream ${auth}`,
      `      then send: {"action":"subscribe","quotes":["AAPL"],"option_quotes":["AAPL240426C00162500"]}`,
      '  integrity: the audit chain (HMAC-keyed, head checkpoints signed) and a signed answer checked:',
      `    curl -s ${auth} ${base}/api/v1/audit/verify`,
      // verify:response needs the request the answer is for (its signature covers method, path and query).
      `    curl -si ${auth} ${base}/api/v1/stocks/AAPL/quote > /tmp/quote.txt && npm run verify:response -- /tmp/quote.txt --request "GET /api/v1/stocks/AAPL/quote" --jwks ${base}/.well-known/jwks.json`,
      // The caption on a line of its own: after the command it was no comment, so the line failed as pasted.
      '    offline, as an auditor: the chain and its signed checkpoints, with the public key only:',
      `    AUDIT_HMAC_KEY=${config.audit.hmacKey === null ? '' : `${config.audit.hmacKey.kid}:${config.audit.hmacKey.secret}`} AUDIT_LOG_PATH=${auditLogPath} AUDIT_VERIFY_PUBLIC_KEY=${base}/.well-known/jwks.json npm run audit:verify`,
      "  Alpaca's own SDKs and paths (the Alpaca-compatible face): the trader key in Alpaca's two headers",
      `    curl -s -H 'APCA-API-KEY-ID: ${traderRecord.id}' -H 'APCA-API-SECRET-KEY: ${traderKey}' '${base}/v2/stocks/quotes/latest?symbols=AAPL,MSFT'`,
      `    curl -s -H 'APCA-API-KEY-ID: ${traderRecord.id}' -H 'APCA-API-SECRET-KEY: ${traderKey}' ${base}/v2/account`,
      `  AsyncAPI      ${base}/asyncapi.json`,
      'Ctrl-C stops both.',
      '',
    ].join('\n'),
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`demo failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
