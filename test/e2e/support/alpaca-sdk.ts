/**
 * Alpaca's own SDK (@alpacahq/alpaca-trade-api 4.x, unmodified) pointed at the gateway, as a bot
 * would be: its credentials are a gateway API key, and one request middleware sends what the SDK
 * would send to Alpaca's hosts to the gateway instead (the README's "Use your existing bot").
 */
import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Alpaca } from '@alpacahq/alpaca-trade-api';
import { ApiKeyStore } from '../../../src/auth/api-keys/api-key-store.js';
import type { Role } from '../../../src/core/identity/roles.js';

/** Alpaca's REST hosts, as the SDK builds its URLs. */
const ALPACA_HOSTS = /^https:\/\/(data|paper-api|api|data\.sandbox)\.alpaca\.markets/;

export async function gatewayBaseUrl(app: NestExpressApplication): Promise<string> {
  const server = app.getHttpServer();
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** A gateway API key for the SDK: the id (APCA-API-KEY-ID) and the whole key (APCA-API-SECRET-KEY). */
export function sdkKey(apiKeysFile: string, name: string, roles: Role[]): { keyId: string; secret: string } {
  const { key, record } = new ApiKeyStore(apiKeysFile).create(name, roles);
  return { keyId: record.id, secret: key };
}

/**
 * The SDK's own client; only its hosts are swapped for the gateway's (no retries or client-side limiter: tests count calls).
 * No per-request deadline either: the SDK 4.0.2 never clears it on its void operations (cancel, exercise), so each would
 * keep a 30 s timer alive past the test run.
 */
export function sdkClient(
  baseUrl: string,
  credentials: { keyId: string; secret: string } | { accessToken: string },
): Alpaca {
  return new Alpaca({
    ...credentials,
    retry: false,
    rateLimit: false,
    timeoutMs: 0,
    middleware: [{ pre: ({ url, init }) => Promise.resolve({ url: url.replace(ALPACA_HOSTS, baseUrl), init }) }],
  });
}
