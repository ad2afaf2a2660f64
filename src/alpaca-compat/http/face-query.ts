import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PureValidation } from '../../core/validation/memoizing-validation.pipe.js';
import { normalizeStockSymbols } from '../../core/validation/stock-symbol.js';

/** What every stock market-data operation of Alpaca's accepts: the feed, and the price currency. */
@PureValidation()
export class StockFeedQuery {
  @IsOptional()
  @IsString()
  @MaxLength(20)
  feed?: string;

  @IsOptional()
  @IsString()
  @MaxLength(10)
  currency?: string;
}

/** The multi-symbol latest operations: `symbols=AAPL,MSFT`. */
@PureValidation()
export class StockLatestQuery extends StockFeedQuery {
  @IsString()
  @MaxLength(20_000)
  symbols!: string;
}

/** Alpaca's comma-separated `symbols`, normalised and checked like /api/v1's. */
export function symbolList(raw: string): string[] {
  return normalizeStockSymbols(raw.split(',').filter((s) => s.trim() !== ''));
}
