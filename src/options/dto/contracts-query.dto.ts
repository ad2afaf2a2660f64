import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, NotEquals } from 'class-validator';
import { withErrorCode } from '../../core/errors/validation.js';
import type { OptionType } from '../../alpaca/options/options.models.js';
import { normalizeStockSymbol, STOCK_SYMBOL_PATTERN, STOCK_SYMBOL_RULE } from '../../core/validation/stock-symbol.js';
import { POSITIVE_DECIMAL } from '../../core/validation/decimal-string.js';
import { OCC_ROOT_PATTERN } from '../occ-symbol.js';
import { IsCalendarDate, PAGE_TOKEN_PATTERN, toUpper } from './query-rules.js';
import { toInt } from '../../core/validation/query-transforms.js';
import { FreshnessQueryDto } from '../../core/cache/freshness-query.dto.js';

export const MAX_CONTRACTS_LIMIT = 10000;
const TICKER = STOCK_SYMBOL_PATTERN.source.replace(/^\^|\$$/g, '');
const TICKER_LIST = new RegExp(`^${TICKER}(?:,${TICKER})*$`);
const STRIKE_MESSAGE = 'must be a positive decimal such as 150 or 151.5';

/** Normalises each entry of a comma list like the stock routes (aapl → AAPL, brk-b → BRK.B). */
const toTickerList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.split(',').map((s) => normalizeStockSymbol(s)).join(',') : value;

export class ContractsQueryDto extends FreshnessQueryDto {
  @ApiPropertyOptional({ description: 'Comma-separated underlying tickers.', example: 'AAPL,SPX' })
  @IsOptional()
  @IsString()
  @Transform(toTickerList)
  @Matches(TICKER_LIST, { message: `underlying_symbols must be comma-separated tickers, each ${STOCK_SYMBOL_RULE}`, ...withErrorCode('INVALID_SYMBOL_FORMAT') })
  underlying_symbols?: string;

  @ApiPropertyOptional({ enum: ['active', 'inactive'], description: 'Alpaca default: active.' })
  @IsOptional()
  @IsIn(['active', 'inactive'])
  status?: 'active' | 'inactive';

  @ApiPropertyOptional({ description: 'Expiring on this day (YYYY-MM-DD).', example: '2025-06-20' })
  @IsOptional()
  @IsCalendarDate(withErrorCode('INVALID_DATE_RANGE'))
  expiration_date?: string;

  @ApiPropertyOptional({ description: 'Expiring on or after this day (YYYY-MM-DD).' })
  @IsOptional()
  @IsCalendarDate(withErrorCode('INVALID_DATE_RANGE'))
  expiration_date_gte?: string;

  @ApiPropertyOptional({
    description:
      'Expiring on or before this day (YYYY-MM-DD). When omitted, Alpaca applies its own default (the next weekend), ' +
      'so only contracts expiring before the coming weekend come back; send a later date to see further expirations.',
  })
  @IsOptional()
  @IsCalendarDate(withErrorCode('INVALID_DATE_RANGE'))
  expiration_date_lte?: string;

  @ApiPropertyOptional({ description: 'OCC root, e.g. SPXW or an adjusted root such as XOM2.', example: 'AAPL' })
  @IsOptional()
  @IsString()
  @Transform(toUpper)
  @Matches(OCC_ROOT_PATTERN, { message: 'root_symbol must be 1-6 letters, optionally ending in one adjustment digit', ...withErrorCode('INVALID_SYMBOL_FORMAT') })
  root_symbol?: string;

  @ApiPropertyOptional({ enum: ['call', 'put'] })
  @IsOptional()
  @IsIn(['call', 'put'])
  type?: OptionType;

  @ApiPropertyOptional({ enum: ['american', 'european'] })
  @IsOptional()
  @IsIn(['american', 'european'])
  style?: 'american' | 'european';

  @ApiPropertyOptional({ description: 'Lowest strike, sent exactly as written.', example: '100' })
  @IsOptional()
  @IsString()
  @Matches(POSITIVE_DECIMAL, { message: `strike_price_gte ${STRIKE_MESSAGE}` })
  strike_price_gte?: string;

  @ApiPropertyOptional({ description: 'Highest strike, sent exactly as written; not below strike_price_gte.', example: '200' })
  @IsOptional()
  @IsString()
  @Matches(POSITIVE_DECIMAL, { message: `strike_price_lte ${STRIKE_MESSAGE}` })
  strike_price_lte?: string;

  @ApiPropertyOptional({ description: 'Contracts per page, 1..10000 (Alpaca default 100).', minimum: 1, maximum: MAX_CONTRACTS_LIMIT })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(MAX_CONTRACTS_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'page_info.next_page_token of the previous page.' })
  @IsOptional()
  @IsString()
  @NotEquals('null', { message: 'page_token must be a token from page_info.next_page_token, not "null"' })
  @Matches(PAGE_TOKEN_PATTERN, { message: 'page_token must be a token from page_info.next_page_token' })
  page_token?: string;
}
