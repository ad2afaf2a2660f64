import { Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../../core/config/app-config.js';
import { WinstonLogger } from '../../core/logging/winston-logger.js';
import {
  MarketStreamPort,
  type StreamEndpoint,
  type UpstreamStream,
  type UpstreamStreamListener,
} from './market-stream.port.js';
import { NO_STREAM_OBSERVER, StreamObserver } from './stream-observer.js';
import { resolveStreamOptions, StreamClientOptions, type ResolvedStreamOptions } from './stream-options.js';
import type { StreamEncoding } from './stream-wire.js';
import { AlpacaUpstreamStream } from './upstream-stream.js';

/**
 * Alpaca's market-data streams behind the MarketStreamPort port: stocks on
 * `{stream url}/v2/{stock feed}` in JSON, options on `{stream url}/v1beta1/{options feed}` in
 * msgpack (the only encoding Alpaca serves options in, docs/alpaca-wire.md "Options stream"). Alpaca allows one socket per endpoint,
 * so a second `open` while the first stream is active is a bug in the caller and throws; after a
 * `close`, the next stream connects only once the old socket is gone.
 */
@Injectable()
export class AlpacaMarketStreamAdapter extends MarketStreamPort implements OnModuleDestroy {
  private readonly streams = new Map<StreamEndpoint, AlpacaUpstreamStream>();
  private readonly options: ResolvedStreamOptions;
  private readonly observer: StreamObserver;

  constructor(
    private readonly config: AppConfig,
    private readonly logger: WinstonLogger,
    @Optional() observer?: StreamObserver,
    @Optional() options?: StreamClientOptions,
  ) {
    super();
    this.observer = observer ?? NO_STREAM_OBSERVER;
    // The coalescing window is configuration (STREAM_UPSTREAM_COALESCE_MS) unless a spec sets its own.
    this.options = resolveStreamOptions({ subscriptionWindowMs: config.stream.upstreamCoalesceMs, ...options });
  }

  open(endpoint: StreamEndpoint, listener: UpstreamStreamListener): UpstreamStream {
    const previous = this.streams.get(endpoint);
    if (previous !== undefined && !previous.isClosing)
      throw new Error(`An upstream ${endpoint} stream is already open; close it first.`);
    const { url, encoding } = this.target(endpoint);
    const stream = new AlpacaUpstreamStream({
      endpoint,
      url,
      encoding,
      keyId: this.config.alpaca.keyId,
      secretKey: this.config.alpaca.secretKey,
      listener,
      logger: this.logger,
      observer: this.observer,
      options: this.options,
    });
    this.streams.set(endpoint, stream);
    stream.start(previous === undefined ? Promise.resolve() : previous.close());
    return stream;
  }

  /** On shutdown every socket is closed cleanly, so Alpaca frees the slots for the next deploy at once (docs/alpaca-wire.md "One upstream socket"). */
  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.streams.values()].map((stream) => stream.close()));
  }

  private target(endpoint: StreamEndpoint): { url: string; encoding: StreamEncoding } {
    const host = this.config.stream.url;
    return endpoint === 'stocks'
      ? { url: `${host}/v2/${this.config.alpaca.stockFeed}`, encoding: 'json' }
      : { url: `${host}/v1beta1/${this.config.alpaca.optionsFeed}`, encoding: 'msgpack' };
  }
}
