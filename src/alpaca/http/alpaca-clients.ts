import { Injectable } from '@nestjs/common';
import { AppConfig, type AlpacaAccount } from '../../core/config/app-config.js';
import { PerAccount } from '../../core/config/alpaca-accounts.js';
import { Clock } from '../../core/time/clock.js';
import { WinstonLogger } from '../../core/logging/winston-logger.js';
import { UpstreamObserver } from '../../core/metrics/upstream-observer.js';
import { AlpacaHttpClient } from './alpaca-http.client.js';
import { UpstreamResilience } from './resilience/upstream-resilience.js';

/** The market-data host (`APCA_API_DATA_URL`), with the data account's keys: quotes, trades, bars, snapshots, options data. */
@Injectable()
export class AlpacaDataClient extends AlpacaHttpClient {
  constructor(
    config: AppConfig,
    logger: WinstonLogger,
    observer: UpstreamObserver,
    resilience: UpstreamResilience,
    clock: Clock,
  ) {
    super('data', config.accounts.data, config.alpaca.dataUrl, config, logger, observer, resilience, clock);
  }
}

/** One account's trading host: account, positions, orders (and, for the data account, clock, calendar, assets, contracts). */
export class AccountTradingClient extends AlpacaHttpClient {
  constructor(
    account: AlpacaAccount,
    config: AppConfig,
    logger: WinstonLogger,
    observer: UpstreamObserver,
    resilience: UpstreamResilience,
    clock: Clock,
  ) {
    super('trading', account, account.tradingUrl, config, logger, observer, resilience, clock);
  }
}

/**
 * Every account's trading client, built once at boot (one keep-alive pool, breaker and budget
 * lane each). `of` is the client of a configured account; the data account's serves the
 * account-less trading-host reads (clock, calendar, assets, option contracts).
 */
@Injectable()
export class AlpacaTradingClients {
  private readonly clients: PerAccount<AccountTradingClient>;
  readonly data: AccountTradingClient;

  constructor(
    config: AppConfig,
    logger: WinstonLogger,
    observer: UpstreamObserver,
    resilience: UpstreamResilience,
    clock: Clock,
  ) {
    this.clients = new PerAccount(
      config.accounts,
      (account) => new AccountTradingClient(account, config, logger, observer, resilience, clock),
    );
    this.data = this.of(config.accounts.data.name);
  }

  /** Throws for a name the configuration does not hold (the guard refuses such a request first). */
  of(account: string): AccountTradingClient {
    return this.clients.of(account);
  }
}

/**
 * The data account's trading client, as the reference and options adapters inject it: a DI token
 * bound (AlpacaModule) to the very instance AlpacaTradingClients holds, so the data account has one
 * keep-alive pool, not two.
 */
export abstract class AlpacaTradingClient extends AccountTradingClient {}
