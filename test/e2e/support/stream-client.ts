/**
 * A client of the gateway's stream for e2e tests: a real `ws` socket that collects every message
 * (frames are arrays) and waits for messages or the close with a deadline, never a blind sleep.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';

export type StreamMessage = { type: string } & Record<string, unknown>;

const DEFAULT_WAIT_MS = 5000;

export async function listenOnLoopback(app: NestExpressApplication): Promise<string> {
  const server = app.getHttpServer();
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return `ws://127.0.0.1:${port}/api/v1/stream`;
}

export class StreamClient {
  readonly messages: StreamMessage[] = [];
  closeCode: number | null = null;
  closeReason = '';
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as unknown;
      if (!Array.isArray(frame))
        throw new Error(`a server frame must be an array: ${data.toString('utf8').slice(0, 200)}`);
      this.messages.push(...(frame as StreamMessage[]));
      this.wake();
    });
    socket.on('close', (code: number, reason: Buffer) => {
      this.closeCode = code;
      this.closeReason = reason.toString('utf8');
      this.wake();
    });
  }

  static async connect(url: string, headers: Record<string, string> = {}): Promise<StreamClient> {
    const socket = new WebSocket(url, { headers });
    const client = new StreamClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  of(type: string): StreamMessage[] {
    return this.messages.filter((m) => m.type === type);
  }

  /** The first message (from index `after` on) that matches, waiting for it if needed. */
  async next(
    match: (m: StreamMessage) => boolean,
    opts: { after?: number; timeoutMs?: number } = {},
  ): Promise<StreamMessage> {
    const found = await this.until(() => this.messages.slice(opts.after ?? 0).find(match), opts.timeoutMs);
    return found;
  }

  async nextOfType(type: string, after = 0): Promise<StreamMessage> {
    return this.next((m) => m.type === type, { after });
  }

  async closed(timeoutMs = DEFAULT_WAIT_MS): Promise<{ code: number; reason: string }> {
    await this.until(() => (this.closeCode === null ? undefined : true), timeoutMs);
    return { code: this.closeCode ?? 0, reason: this.closeReason };
  }

  async close(): Promise<void> {
    if (this.closeCode !== null) return;
    this.socket.close();
    await this.closed();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private async until<T>(probe: () => T | undefined, timeoutMs = DEFAULT_WAIT_MS): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `stream client: nothing matched within ${timeoutMs} ms; got ${JSON.stringify(this.messages.slice(-5))}, close ${this.closeCode}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
