import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { AppConfig } from '../../core/config/app-config.js';
import { AppError } from '../../core/errors/app-error.js';
import { PureValidation } from '../../core/validation/memoizing-validation.pipe.js';
import { normalizeStockSymbols } from '../../core/validation/stock-symbol.js';

/** What every stock market-data operation of Alpaca's accepts: the feed, and the price currency. */
@PureValidation()
export class StockFeedQuery {
  @IsOptional() @IsString() @MaxLength(20)
  feed?: string;

  @IsOptional() @IsString() @MaxLength(10)
  currency?: string;
}

/** The multi-symbol latest operations: `symbols=AAPL,MSFT`. */
@PureValidation()
export class StockLatestQuery extends StockFeedQuery {
  @IsString() @MaxLength(20_000)
  symbols!: string;
}

/**
 * The gateway serves one stock feed (ALPACA_STOCK_FEED) in US dollars: the same feed asked by name
 * is served, another one is refused (never answered from a feed the caller did not ask for).
 */
export function assertStockFeed(config: AppConfig, q: StockFeedQuery): void {
  const served = config.alpaca.stockFeed;
  if (q.feed !== undefined && q.feed.toLowerCase() !== served) {
    throw new AppError('INVALID_PARAMETER', {
      message: `feed "${q.feed.slice(0, 20)}" is not served by this gateway; it serves "${served}".`,
      details: { parameter: 'feed', served },
    });
  }
  if (q.currency !== undefined && q.currency.toUpperCase() !== 'USD') {
    throw new AppError('INVALID_PARAMETER', { message: 'Only USD prices are served (no currency conversion).', details: { parameter: 'currency' } });
  }
}

/** Alpaca's comma-separated `symbols`, normalised and checked like /api/v1's. */
export function symbolList(raw: string): string[] {
  return normalizeStockSymbols(raw.split(',').filter((s) => s.trim() !== ''));
}
