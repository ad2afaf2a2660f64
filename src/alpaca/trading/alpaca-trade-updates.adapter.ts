import { Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../../core/config/app-config.js';
import { WinstonLogger } from '../../core/logging/winston-logger.js';
import { resolveStreamOptions, StreamClientOptions, type ResolvedStreamOptions } from '../stream/stream-options.js';
import { AlpacaTradeUpdatesStream } from './trade-updates-stream.js';
import { tradeUpdatesUrl } from './trade-updates-wire.js';
import { TradeUpdatesPort, type TradeUpdatesListener, type TradeUpdatesStream } from './trade-updates.port.js';

/**
 * Alpaca's `trade_updates` stream behind the TradeUpdatesPort port, at the trading host's
 * `/stream` (APCA_API_BASE_URL with http→ws). Alpaca holds one such connection per account (docs/alpaca-wire.md "One upstream socket"),
 * so a second `open` while the first is active is a bug in the caller and throws; after a `close`
 * the next stream connects only once the old socket is gone.
 */
@Injectable()
export class AlpacaTradeUpdatesAdapter extends TradeUpdatesPort implements OnModuleDestroy {
  private current: AlpacaTradeUpdatesStream | undefined;
  private readonly options: ResolvedStreamOptions;

  constructor(
    private readonly config: AppConfig,
    private readonly logger: WinstonLogger,
    @Optional() options?: StreamClientOptions,
  ) {
    super();
    this.options = resolveStreamOptions(options);
  }

  open(listener: TradeUpdatesListener): TradeUpdatesStream {
    const previous = this.current;
    if (previous !== undefined && !previous.isClosing)
      throw new Error('An upstream trade_updates stream is already open; close it first.');
    const stream = new AlpacaTradeUpdatesStream({
      url: tradeUpdatesUrl(this.config.alpaca.tradingUrl),
      keyId: this.config.alpaca.keyId,
      secretKey: this.config.alpaca.secretKey,
      listener,
      logger: this.logger,
      options: this.options,
    });
    this.current = stream;
    stream.start(previous === undefined ? Promise.resolve() : previous.close());
    return stream;
  }

  /** On shutdown the socket is closed cleanly, so the next deploy's socket is not refused. */
  async onModuleDestroy(): Promise<void> {
    await this.current?.close();
  }
}
