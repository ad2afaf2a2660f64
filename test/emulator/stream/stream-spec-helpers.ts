/**
 * A real `ws` client for the stream specs: it queues every frame, pong and close so a test can
 * await the next one with a deadline instead of sleeping.
 */
import { decode, decodeTimestampToTimeSpec, encode, EXT_TIMESTAMP, ExtensionCodec } from '@msgpack/msgpack';
import { WebSocket, type RawData } from 'ws';
import type { AlpacaEmulator, StreamEndpoint } from '../alpaca-emulator.js';

const DEFAULT_DEADLINE_MS = 3000;
const POLL_MS = 5;

export type Message = Record<string, unknown>;

/**
 * Decodes msgpack timestamps to `{sec, nsec}`. @msgpack/msgpack's default turns ext -1 into a
 * JS Date, which keeps milliseconds only; Alpaca's timestamps carry nanoseconds.
 */
export const nanosecondCodec = new ExtensionCodec();
nanosecondCodec.register({
  type: EXT_TIMESTAMP,
  encode: () => null,
  decode: (data: Uint8Array) => decodeTimestampToTimeSpec(data),
});

export interface Frame {
  binary: boolean;
  /** The frame's bytes as received (JSON text, or msgpack). */
  raw: Buffer;
  /** Decoded; msgpack timestamps as `{sec, nsec}`. */
  messages: Message[];
}

export async function waitUntil(
  predicate: () => boolean,
  what: string,
  deadlineMs = DEFAULT_DEADLINE_MS,
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

export interface ConnectOptions {
  /** Upgrade with Content-Type: application/msgpack and send msgpack frames. */
  msgpack?: boolean;
  headers?: Record<string, string>;
  /** false: leave server pings unanswered. */
  autoPong?: boolean;
  /** false: no permessage-deflate, so frames reach the server as written, with no async inflate. */
  perMessageDeflate?: boolean;
}

export class StreamClient {
  readonly frames: Frame[] = [];
  readonly pongs: string[] = [];
  pings = 0;
  closeCode: number | undefined;
  private read = 0;

  private constructor(
    readonly ws: WebSocket,
    private readonly msgpack: boolean,
  ) {
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const raw = toBuffer(data);
      const decoded: unknown = isBinary
        ? decode(raw, { extensionCodec: nanosecondCodec })
        : JSON.parse(raw.toString('utf8'));
      this.frames.push({ binary: isBinary, raw, messages: decoded as Message[] });
    });
    ws.on('pong', (data: Buffer) => this.pongs.push(data.toString('utf8')));
    ws.on('ping', () => (this.pings += 1));
    ws.on('close', (code: number) => (this.closeCode = code));
  }

  static async connect(url: string, options: ConnectOptions = {}): Promise<StreamClient> {
    const headers = { ...options.headers };
    if (options.msgpack === true) headers['Content-Type'] = 'application/msgpack';
    const ws = new WebSocket(url, {
      headers,
      autoPong: options.autoPong ?? true,
      perMessageDeflate: options.perMessageDeflate ?? true,
    });
    const client = new StreamClient(ws, options.msgpack === true);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.on('error', () => undefined); // later errors surface as a close code
    return client;
  }

  /** JSON text frame, or a msgpack binary frame on a msgpack client (as the SDKs send). */
  send(frame: unknown): void {
    if (this.msgpack) this.ws.send(encode(frame));
    else this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The next frame not yet returned, waiting for it with a deadline. */
  async next(what = 'a frame'): Promise<Frame> {
    await waitUntil(() => this.frames.length > this.read, what);
    return this.frames[this.read++];
  }

  /** The messages of the next frame. */
  async nextMessages(what?: string): Promise<Message[]> {
    return (await this.next(what)).messages;
  }

  /** Skips frames up to and including the first one whose first message matches. */
  async nextMatching(predicate: (message: Message) => boolean, what: string): Promise<Message[]> {
    for (;;) {
      const { messages } = await this.next(what);
      if (messages.length > 0 && predicate(messages[0])) return messages;
    }
  }

  unread(): Frame[] {
    return this.frames.slice(this.read);
  }

  async closed(): Promise<number> {
    await waitUntil(() => this.closeCode !== undefined, 'the socket to close');
    return this.closeCode ?? 0;
  }

  /** Sends a close frame and waits for the handshake to finish. */
  async close(): Promise<void> {
    this.ws.close(1000);
    await this.closed();
  }
}

/** Throws unless `messages` is exactly `[{T: 'success', msg}]`. (No `expect` here: tsc builds this file too.) */
function requireSuccess(messages: Message[], msg: string): void {
  if (
    messages.length !== 1 ||
    messages[0].T !== 'success' ||
    messages[0].msg !== msg ||
    Object.keys(messages[0]).length !== 2
  ) {
    throw new Error(`expected [{"T":"success","msg":"${msg}"}], got ${JSON.stringify(messages)}`);
  }
}

/** Connects and expects `connected`. */
export async function connect(
  emulator: AlpacaEmulator,
  endpoint: StreamEndpoint,
  options: ConnectOptions = {},
): Promise<StreamClient> {
  const client = await StreamClient.connect(emulator.streamUrl(endpoint), options);
  requireSuccess(await client.nextMessages('connected'), 'connected');
  return client;
}

/** Connects, authenticates with the emulator's keys and expects `authenticated`. */
export async function authenticated(
  emulator: AlpacaEmulator,
  endpoint: StreamEndpoint,
  options: ConnectOptions = {},
): Promise<StreamClient> {
  const client = await connect(emulator, endpoint, options);
  client.send({ action: 'auth', key: emulator.keyId, secret: emulator.secretKey });
  requireSuccess(await client.nextMessages('authenticated'), 'authenticated');
  return client;
}

/** Subscribes and returns the ack's single message. */
export async function subscribe(client: StreamClient, channels: Record<string, string[]>): Promise<Message> {
  client.send({ action: 'subscribe', ...channels });
  const [ack] = await client.nextMatching(
    (message) => message.T === 'subscription' || message.T === 'error',
    'the subscription ack',
  );
  return ack;
}

export function errorFrame(code: number, msg: string): Message[] {
  return [{ T: 'error', code, msg }];
}
