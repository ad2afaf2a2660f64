import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../core/config/app-config.js';
import { Clock } from '../../core/time/clock.js';
import { WinstonLogger } from '../../core/logging/winston-logger.js';
import { UpstreamObserver } from '../../core/metrics/upstream-observer.js';
import { AlpacaHttpClient } from './alpaca-http.client.js';
import { UpstreamResilience } from './resilience/upstream-resilience.js';

/** The market-data host (`APCA_API_DATA_URL`): quotes, trades, bars, snapshots, options data. */
@Injectable()
export class AlpacaDataClient extends AlpacaHttpClient {
  constructor(
    config: AppConfig,
    logger: WinstonLogger,
    observer: UpstreamObserver,
    resilience: UpstreamResilience,
    clock: Clock,
  ) {
    super('data', config.alpaca.dataUrl, config, logger, observer, resilience, clock);
  }
}

/** The trading host (`APCA_API_BASE_URL`): clock, account, positions, orders, option contracts. */
@Injectable()
export class AlpacaTradingClient extends AlpacaHttpClient {
  constructor(
    config: AppConfig,
    logger: WinstonLogger,
    observer: UpstreamObserver,
    resilience: UpstreamResilience,
    clock: Clock,
  ) {
    super('trading', config.alpaca.tradingUrl, config, logger, observer, resilience, clock);
  }
}
