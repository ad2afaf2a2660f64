import { Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../../core/config/app-config.js';
import { accountNamed } from '../../core/config/alpaca-accounts.js';
import { WinstonLogger } from '../../core/logging/winston-logger.js';
import { resolveStreamOptions, StreamClientOptions, type ResolvedStreamOptions } from '../stream/stream-options.js';
import { AlpacaTradeUpdatesStream } from './trade-updates-stream.js';
import { tradeUpdatesUrl } from './trade-updates-wire.js';
import { TradeUpdatesPort, type TradeUpdatesListener, type TradeUpdatesStream } from './trade-updates.port.js';

/**
 * Alpaca's `trade_updates` stream behind the TradeUpdatesPort port, at each account's trading
 * host's `/stream` (its base URL with http→ws) with that account's keys. Alpaca holds one such
 * connection per account (docs/alpaca-wire.md "One upstream socket"), so a second `open` for an
 * account while its first is active is a bug in the caller and throws; after a `close` the
 * account's next stream connects only once the old socket is gone.
 */
@Injectable()
export class AlpacaTradeUpdatesAdapter extends TradeUpdatesPort implements OnModuleDestroy {
  private readonly current = new Map<string, AlpacaTradeUpdatesStream>();
  private readonly options: ResolvedStreamOptions;

  constructor(
    private readonly config: AppConfig,
    private readonly logger: WinstonLogger,
    @Optional() options?: StreamClientOptions,
  ) {
    super();
    this.options = resolveStreamOptions(options);
  }

  open(account: string, listener: TradeUpdatesListener): TradeUpdatesStream {
    const keys = accountNamed(this.config.accounts, account);
    if (keys === undefined) throw new Error(`No Alpaca account "${account}" is configured.`);
    const previous = this.current.get(account);
    if (previous !== undefined && !previous.isClosing)
      throw new Error(`The account "${account}" already has an upstream trade_updates stream open; close it first.`);
    const stream = new AlpacaTradeUpdatesStream({
      url: tradeUpdatesUrl(keys.tradingUrl),
      account,
      keyId: keys.keyId,
      secretKey: keys.secretKey,
      listener,
      logger: this.logger,
      options: this.options,
    });
    this.current.set(account, stream);
    stream.start(previous === undefined ? Promise.resolve() : previous.close());
    return stream;
  }

  /** On shutdown the sockets are closed cleanly, so the next deploy's sockets are not refused. */
  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.current.values()].map((s) => s.close()));
  }
}
