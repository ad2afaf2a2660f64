/**
 * The rig for the stream client's specs: the real AlpacaMarketStreamAdapter against the project's
 * Alpaca emulator on loopback, each on its own ManualClock (the client's drives its timeouts,
 * keep-alive and backoff; the emulator's its slot holds), fixed jitter, and recorders for what the
 * client tells its listener and its observer. Not a spec itself; only specs import it.
 */
import { Writable } from 'node:stream';
import { AlpacaEmulator, ManualClock, type EmulatorOptions } from '../../emulator/alpaca-emulator.js';
import { waitUntil } from '../../emulator/stream/stream-spec-helpers.js';
import { validateConfig } from '../../../src/core/config/validate-config.js';
import { WinstonLogger } from '../../../src/core/logging/winston-logger.js';
import { AlpacaMarketStreamAdapter } from '../../../src/alpaca/stream/alpaca-market-stream.adapter.js';
import {
  ENDPOINT_CHANNELS,
  type StreamChannel,
  type StreamData,
  type StreamEndpoint,
  type UpstreamStream,
  type UpstreamStreamListener,
  type UpstreamStreamProblem,
  type UpstreamStreamStatus,
  type UpstreamSubscription,
} from '../../../src/alpaca/stream/market-stream.port.js';
import {
  StreamObserver,
  type StreamFrameCounts,
  type StreamRetryReason,
} from '../../../src/alpaca/stream/stream-observer.js';
import type { StreamClientOptions } from '../../../src/alpaca/stream/stream-options.js';

export const START = Date.parse('2024-03-08T16:41:24.727Z');
export const EMULATOR_PATH: Readonly<Record<StreamEndpoint, '/v2/iex' | '/v1beta1/indicative'>> = {
  stocks: '/v2/iex',
  options: '/v1beta1/indicative',
};

export type StatusEvent = { status: UpstreamStreamStatus } & Parameters<UpstreamStreamListener['status']>[1];

export class RecordingListener implements UpstreamStreamListener {
  readonly batches: Array<{ messages: readonly StreamData[]; receivedAt: string }> = [];
  readonly statuses: StatusEvent[] = [];
  readonly refusals: UpstreamStreamProblem[] = [];

  constructor(private readonly onCall: () => void) {}

  data(messages: readonly StreamData[], receivedAt: string): void {
    this.onCall();
    this.batches.push({ messages, receivedAt });
  }
  status(status: UpstreamStreamStatus, info: Parameters<UpstreamStreamListener['status']>[1]): void {
    this.onCall();
    this.statuses.push({ status, ...info });
  }
  refused(problem: UpstreamStreamProblem): void {
    this.onCall();
    this.refusals.push(problem);
  }

  get last(): StatusEvent | undefined {
    return this.statuses.at(-1);
  }
}

export class RecordingObserver extends StreamObserver {
  readonly attempts: number[] = [];
  readonly retries: Array<{ reason: StreamRetryReason; delayMs: number; attempt: number }> = [];
  readonly frames: StreamFrameCounts[] = [];
  readonly pongs: number[] = [];
  readonly refused: number[] = [];

  constructor(private readonly onCall: () => void) {
    super();
  }

  onStatus(): void {
    this.onCall();
  }
  onConnectAttempt(_endpoint: StreamEndpoint, attempt: number): void {
    this.onCall();
    this.attempts.push(attempt);
  }
  onRetryScheduled(
    _endpoint: StreamEndpoint,
    retry: { reason: StreamRetryReason; delayMs: number; attempt: number },
  ): void {
    this.onCall();
    this.retries.push(retry);
  }
  onFrame(_endpoint: StreamEndpoint, counts: StreamFrameCounts): void {
    this.frames.push(counts);
  }
  onAcknowledged(): void {
    this.onCall();
  }
  onRefused(_endpoint: StreamEndpoint, upstreamCode: number): void {
    this.refused.push(upstreamCode);
  }
  onPong(_endpoint: StreamEndpoint, roundTripMs: number): void {
    this.pongs.push(roundTripMs);
  }
}

/** `{quotes: ['AAPL']}` → the port's sets. */
export function want(channels: Partial<Record<StreamChannel, string[]>>): UpstreamSubscription {
  const out: UpstreamSubscription = {};
  for (const [channel, symbols] of Object.entries(channels) as Array<[StreamChannel, string[]]>)
    out[channel] = new Set(symbols);
  return out;
}

/** The whole acknowledged stock subscription: the channels named, every other stock channel empty. */
export function stockAck(channels: Partial<Record<StreamChannel, string[]>>): UpstreamSubscription {
  return want({ ...Object.fromEntries(ENDPOINT_CHANNELS.stocks.map((c) => [c, []])), ...channels });
}

export class StreamRig {
  readonly clock = new ManualClock(START);
  readonly logLines: string[] = [];
  readonly listener: RecordingListener;
  readonly observer: RecordingObserver;
  readonly gateway: AlpacaMarketStreamAdapter;
  stream!: UpstreamStream;
  /** The most sockets the emulator ever showed open at once on the rig's endpoint, sampled at every event and poll. */
  maxOpen = 0;

  private constructor(
    readonly emulator: AlpacaEmulator,
    /** The emulator's clock, so a spec can age slot holds. */
    readonly emulatorClock: ManualClock,
    readonly endpoint: StreamEndpoint,
    options: StreamClientOptions,
  ) {
    const config = validateConfig({
      APCA_API_KEY_ID: emulator.keyId,
      APCA_API_SECRET_KEY: emulator.secretKey,
      JWT_SECRET: 'stream-spec-secret-0123456789abcdefghij',
      APCA_API_STREAM_URL: emulator.dataUrl.replace(/^http:/, 'ws:'),
      ALPACA_STOCK_FEED: 'iex',
      ALPACA_OPTIONS_FEED: 'indicative',
    });
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        this.logLines.push(chunk.toString('utf8'));
        done();
      },
    });
    const sample = (): void => this.sample();
    this.listener = new RecordingListener(sample);
    this.observer = new RecordingObserver(sample);
    this.gateway = new AlpacaMarketStreamAdapter(config, new WinstonLogger(config, sink), this.observer, {
      scheduler: this.clock,
      random: () => 0.5,
      ...options,
    });
  }

  static async start(
    endpoint: StreamEndpoint,
    emulatorOptions: EmulatorOptions = {},
    clientOptions: StreamClientOptions = {},
  ): Promise<StreamRig> {
    const emulatorClock = new ManualClock(START);
    const emulator = new AlpacaEmulator({ streamClock: emulatorClock, ...emulatorOptions });
    await emulator.start();
    return new StreamRig(emulator, emulatorClock, endpoint, clientOptions);
  }

  get path(): '/v2/iex' | '/v1beta1/indicative' {
    return EMULATOR_PATH[this.endpoint];
  }

  open(wanted?: UpstreamSubscription): UpstreamStream {
    this.stream = this.gateway.open(this.endpoint, this.listener);
    if (wanted !== undefined) this.stream.update(wanted);
    return this.stream;
  }

  sample(): void {
    this.maxOpen = Math.max(this.maxOpen, this.emulator.streamOpenCount(this.path));
  }

  async until(what: string, predicate: () => boolean): Promise<void> {
    await waitUntil(() => {
      this.sample();
      return predicate();
    }, what);
  }

  async untilStatus(status: UpstreamStreamStatus, count = 1): Promise<StatusEvent> {
    await this.until(
      `status ${status} #${count}`,
      () => this.listener.statuses.filter((event) => event.status === status).length >= count,
    );
    return this.listener.statuses.filter((event) => event.status === status)[count - 1];
  }

  /** Waits for retry number `n` to be scheduled, then moves the client's clock to it. */
  async runRetry(n: number): Promise<{ reason: StreamRetryReason; delayMs: number }> {
    await this.until(`retry #${n} to be scheduled`, () => this.observer.retries.length >= n);
    const retry = this.observer.retries[n - 1];
    this.clock.advance(retry.delayMs);
    return retry;
  }

  /** Decoded client frames the emulator received on this endpoint, auth included. */
  actions(connectionId?: number): unknown[] {
    return this.emulator.streamActions
      .filter(
        (action) =>
          action.endpoint === this.path && (connectionId === undefined || action.connectionId === connectionId),
      )
      .map((action) => action.frame);
  }

  async stop(): Promise<void> {
    // Sockets first: a clean close waits for an echo, and the rig's clock would never cut it short.
    await this.emulator.stop();
    await this.gateway.onModuleDestroy();
  }
}
