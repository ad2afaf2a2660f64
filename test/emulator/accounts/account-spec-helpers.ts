/**
 * Helpers for the multi-account specs: two accounts on one emulator, HTTP calls under either,
 * and a small trade_updates client that queues every message so a test awaits the next one
 * (with a deadline) instead of sleeping.
 */
import { WebSocket, type RawData } from 'ws';
import type { AlpacaEmulator, EmulatorAccountConfig, EmulatorHost } from '../alpaca-emulator.js';
import { call, type CallOptions, type Reply } from '../spec-helpers.js';
import { waitUntil } from '../stream/stream-spec-helpers.js';

export const PAPER: EmulatorAccountConfig = { name: 'paper', keyId: 'PK-PAPER', secretKey: 'paper-secret' };
export const LIVE: EmulatorAccountConfig = { name: 'live', keyId: 'AK-LIVE', secretKey: 'live-secret' };

export function headersOf(account: EmulatorAccountConfig): Record<string, string> {
  return { 'APCA-API-KEY-ID': account.keyId, 'APCA-API-SECRET-KEY': account.secretKey };
}

/** An HTTP call made with this account's credentials. */
export function callAs(
  emulator: AlpacaEmulator,
  account: EmulatorAccountConfig,
  host: EmulatorHost,
  path: string,
  options: CallOptions = {},
): Promise<Reply> {
  return call(emulator, host, path, { ...options, auth: headersOf(account) });
}

export type TradeMessage = { stream: string; data: Record<string, unknown> };

export class TradeClient {
  readonly messages: TradeMessage[] = [];
  private read = 0;

  private constructor(readonly ws: WebSocket) {
    // Paper's frames: JSON in binary frames.
    ws.on('message', (data: RawData) =>
      this.messages.push(JSON.parse(Buffer.from(data as Buffer).toString('utf8')) as TradeMessage),
    );
  }

  static async open(emulator: AlpacaEmulator): Promise<TradeClient> {
    const ws = new WebSocket(emulator.tradeStreamUrl);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.on('error', () => undefined);
    return new TradeClient(ws);
  }

  /** Opens, authenticates with these credentials and, when authorized, listens to trade_updates. */
  static async listening(emulator: AlpacaEmulator, account: EmulatorAccountConfig): Promise<TradeClient> {
    const client = await TradeClient.open(emulator);
    const auth = await client.authenticate(account.keyId, account.secretKey);
    if (auth.data.status !== 'authorized') throw new Error(`not authorized: ${JSON.stringify(auth)}`);
    client.ws.send(JSON.stringify({ action: 'listen', data: { streams: ['trade_updates'] } }));
    await client.next('the listening ack');
    return client;
  }

  authenticate(keyId: string, secretKey: string): Promise<TradeMessage> {
    this.ws.send(JSON.stringify({ action: 'authenticate', data: { key_id: keyId, secret_key: secretKey } }));
    return this.next('the authorization reply');
  }

  async next(what = 'a message'): Promise<TradeMessage> {
    await waitUntil(() => this.messages.length > this.read, what);
    return this.messages[this.read++];
  }

  close(): void {
    this.ws.close(1000);
  }
}
