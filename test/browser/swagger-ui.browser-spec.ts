import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type ConsoleMessage } from 'playwright-core';
import { startGateway, tokenFor, type Gateway } from '../e2e/support/harness.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
/**
 * A non-loopback name for the gateway: browsers treat 127.0.0.1 as secure, a cluster-internal
 * host over plain HTTP is not, and that is where a CSP that upgrades requests breaks Swagger UI.
 */
const HOST_NAME = 'gateway.test';
/** As root, in a sandbox with no network but loopback (see the machine notes). */
const CHROMIUM_ARGS = [
  `--host-resolver-rules=MAP ${HOST_NAME} 127.0.0.1`,
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const OUTPUT_DIR = join(process.cwd(), 'test-output', 'browser');

describe('Swagger UI in headless Chromium', () => {
  let gw: Gateway;
  let browser: Browser;
  let baseUrl: string;
  let port: number;

  beforeAll(async () => {
    mkdirSync(OUTPUT_DIR, { recursive: true });
    gw = await startGateway();
    await gw.app.listen(0, '127.0.0.1');
    port = (gw.app.getHttpServer().address() as AddressInfo).port;
    baseUrl = `http://${HOST_NAME}:${port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('authorizes with a token and runs "Try it out" on the stock quote route: 200 with the envelope', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    const problems: string[] = [];
    page.on('console', (m: ConsoleMessage) => {
      // Chromium's note that COOP needs HTTPS is about the plain-HTTP test host, not a failure.
      if (m.type() === 'error' && !m.text().includes('Cross-Origin-Opener-Policy')) problems.push(m.text());
    });
    page.on('pageerror', (e: Error) => problems.push(e.message));
    page.on('requestfailed', (r) => problems.push(`${r.url()}: ${r.failure()?.errorText ?? 'failed'}`));

    const docs = await page.goto(`${baseUrl}/docs`);
    expect(docs?.status()).toBe(200);
    expect(docs?.headers()['content-security-policy']).not.toContain('upgrade-insecure-requests');
    await page.getByRole('button', { name: 'Authorize' }).first().click();
    const bearer = page
      .locator('.dialog-ux .auth-container')
      .filter({ has: page.locator('h4 code', { hasText: /^bearer$/ }) });
    await bearer.locator('#auth-bearer-value').fill(tokenFor(['admin']));
    await bearer.getByRole('button', { name: 'Apply credentials' }).click();
    // Swagger UI confirms with "Authorized" and a Logout ("Remove authorization") button.
    await bearer.getByRole('heading', { name: 'Authorized' }).waitFor();
    await bearer.getByRole('button', { name: 'Remove authorization' }).waitFor();
    await bearer.getByRole('button', { name: 'Close' }).click();

    const operation = page.locator('#operations-stocks-StocksController_quote');
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    await operation.locator('input[placeholder="symbol"]').fill('AAPL');
    await operation.getByRole('button', { name: 'Execute' }).click();

    const live = operation.locator('.live-responses-table');
    await live.locator('.response-col_status').first().waitFor();
    const status = (await live.locator('tbody .response-col_status').first().innerText()).trim();
    const text = await live.locator('.response-col_description pre').first().innerText();
    await operation.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(OUTPUT_DIR, 'swagger-try-it-out-quote.png'), fullPage: false });

    expect(status).toBe('200');
    const body = JSON.parse(text);
    expect(body.data).toMatchObject({ symbol: 'AAPL' });
    expect(Object.keys(body).sort()).toEqual(['data', 'metadata']);
    expect(body.metadata).toMatchObject({ data_source: 'alpaca_real_time', provider: 'non_alpaca_host', feed: 'iex' });
    expect(gw.emulator.requestsTo('/v2/stocks/quotes/latest')).toHaveLength(1);
    expect(problems).toEqual([]);
    // JSON answers get the API policy, which loads nothing and allows no framing.
    const api = await fetch(`http://127.0.0.1:${port}/api/v1/health/live`);
    expect(api.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
  }, 60_000);
});
