import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { FreshnessQueryDto } from '../../core/cache/freshness-query.dto.js';
import { withErrorCode } from '../../core/errors/validation.js';
import { PureValidation } from '../../core/validation/memoizing-validation.pipe.js';
import { normalizeStockSymbol, STOCK_SYMBOL_PATTERN, STOCK_SYMBOL_RULE } from '../../core/validation/stock-symbol.js';
import { CORPORATE_ACTION_TYPES } from '../../alpaca/reference/market-operations.js';
import {
  OptionalBool,
  OptionalDateOnly,
  OptionalIn,
  OptionalInt,
  OptionalTickerList,
  OptionalUpstreamTime,
  PAGE_TOKEN_PATTERN,
  TICKER_LIST,
  toTickerList,
} from '../../core/validation/query-decorators.js';

const PAGE_TOKEN_RULE = { message: 'page_token must be a token from page_info.next_page_token' };

function listOf(allowed: readonly string[]): RegExp {
  const one = `(?:${allowed.join('|')})`;
  return new RegExp(`^${one}(?:,${one})*$`);
}

/** `?symbols=AAPL,MSFT`: the multi-symbol latest routes. */
@PureValidation()
export class SymbolsQueryDto extends FreshnessQueryDto {
  @ApiProperty({
    description: 'Comma-separated tickers (duplicates collapse; at most STOCK_BATCH_MAX_SYMBOLS, default 100).',
    example: 'AAPL,MSFT,BRK.B',
  })
  @Transform(toTickerList)
  @IsString(withErrorCode('INVALID_SYMBOL_FORMAT'))
  @Matches(TICKER_LIST, {
    message: `symbols must be comma-separated tickers, each ${STOCK_SYMBOL_RULE}`,
    ...withErrorCode('INVALID_SYMBOL_FORMAT'),
  })
  symbols!: string;
}

@PureValidation()
export class NewsQueryDto extends FreshnessQueryDto {
  @OptionalTickerList({
    description: 'Comma-separated tickers the articles are about; all news when omitted.',
    example: 'AAPL,TSLA',
  })
  symbols?: string;

  @OptionalUpstreamTime({ description: 'Inclusive start, RFC-3339 or YYYY-MM-DD.' })
  start?: string;

  @OptionalUpstreamTime({ description: 'Inclusive end, RFC-3339 or YYYY-MM-DD; not before start.' })
  end?: string;

  @OptionalIn(['asc', 'desc'], { description: 'By updated_at (Alpaca default desc).' })
  sort?: 'asc' | 'desc';

  @OptionalInt(1, 50, { description: 'Articles per page, 1..50 (Alpaca default 10).' })
  limit?: number;

  @OptionalBool({ description: 'Include the article body (HTML) in content.' }, 'include_content must be true or false')
  include_content?: boolean;

  @OptionalBool(
    { description: 'Leave out articles that have no content.' },
    'exclude_contentless must be true or false',
  )
  exclude_contentless?: boolean;

  @ApiPropertyOptional({ description: 'page_info.next_page_token of the previous page.' })
  @IsOptional()
  @Matches(PAGE_TOKEN_PATTERN, PAGE_TOKEN_RULE)
  page_token?: string;
}

@PureValidation()
export class CorporateActionsQueryDto extends FreshnessQueryDto {
  @OptionalTickerList({ description: 'Comma-separated tickers.', example: 'AAPL,TSLA' })
  symbols?: string;

  @ApiPropertyOptional({
    description: `Comma-separated types; all when omitted: ${CORPORATE_ACTION_TYPES.join(', ')}.`,
    example: 'forward_split,cash_dividend',
  })
  @IsOptional()
  @Matches(listOf(CORPORATE_ACTION_TYPES), {
    message: `types must be comma-separated of ${CORPORATE_ACTION_TYPES.join(', ')}`,
  })
  types?: string;

  @OptionalDateOnly({
    description: 'Inclusive start (by process_date), YYYY-MM-DD (Alpaca default today).',
    example: '2023-05-01',
  })
  start?: string;

  @OptionalDateOnly({
    description: 'Inclusive end (by process_date), YYYY-MM-DD; not before start (Alpaca default today).',
    example: '2023-08-31',
  })
  end?: string;

  @OptionalInt(1, 1000, { description: 'Actions per page, 1..1000 (Alpaca default 100).' })
  limit?: number;

  @OptionalIn(['asc', 'desc'], { description: 'By process_date (Alpaca default asc).' })
  sort?: 'asc' | 'desc';

  @ApiPropertyOptional({ description: 'page_info.next_page_token of the previous page.' })
  @IsOptional()
  @Matches(PAGE_TOKEN_PATTERN, PAGE_TOKEN_RULE)
  page_token?: string;
}

@PureValidation()
export class MostActivesQueryDto extends FreshnessQueryDto {
  @OptionalIn(['volume', 'trades'], { description: 'Rank by volume or by trade count (Alpaca default volume).' })
  by?: 'volume' | 'trades';

  @OptionalInt(1, 100, { description: 'How many, 1..100 (Alpaca default 10).' })
  top?: number;
}

@PureValidation()
export class MoversQueryDto extends FreshnessQueryDto {
  @OptionalInt(1, 50, { description: 'How many gainers and losers, 1..50 (Alpaca default 10).' })
  top?: number;
}

@PureValidation()
export class TickTypeParamDto {
  @ApiProperty({ enum: ['trade', 'quote'], description: 'Condition codes of trades or of quotes.' })
  @IsIn(['trade', 'quote'])
  ticktype!: 'trade' | 'quote';
}

@PureValidation()
export class StockConditionsQueryDto extends FreshnessQueryDto {
  @ApiProperty({ enum: ['A', 'B', 'C'], description: 'SIP tape: A (NYSE), B (ARCA and regionals), C (Nasdaq).' })
  @IsIn(['A', 'B', 'C'])
  tape!: 'A' | 'B' | 'C';
}

export const ASSET_ATTRIBUTES = [
  'ptp_no_exception',
  'ptp_with_exception',
  'ipo',
  'has_options',
  'options_late_close',
  'fractional_eh_enabled',
  'overnight_tradable',
  'overnight_halted',
] as const;
export const ASSET_EXCHANGES = ['AMEX', 'ARCA', 'BATS', 'NYSE', 'NASDAQ', 'NYSEARCA', 'OTC'] as const;

@PureValidation()
export class AssetsQueryDto extends FreshnessQueryDto {
  @OptionalIn(['active', 'inactive'], { description: 'All statuses when omitted.' })
  status?: 'active' | 'inactive';

  @OptionalIn(['us_equity', 'us_option', 'crypto'], { description: 'Alpaca default us_equity.' })
  asset_class?: string;

  @OptionalIn(ASSET_EXCHANGES)
  exchange?: string;

  @ApiPropertyOptional({
    description: `Comma-separated; assets with any of them: ${ASSET_ATTRIBUTES.join(', ')}.`,
    example: 'has_options',
  })
  @IsOptional()
  @Matches(listOf(ASSET_ATTRIBUTES), {
    message: `attributes must be comma-separated of ${ASSET_ATTRIBUTES.join(', ')}`,
  })
  attributes?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@PureValidation()
export class AssetParamDto {
  @ApiProperty({
    description: "A ticker (normalised like the stock routes) or Alpaca's asset id (UUID).",
    example: 'AAPL',
  })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && UUID.test(value) ? value.toLowerCase() : normalizeStockSymbol(value),
  )
  @IsString(withErrorCode('INVALID_SYMBOL_FORMAT'))
  @Matches(new RegExp(`(?:${STOCK_SYMBOL_PATTERN.source})|(?:${UUID.source})`, 'i'), {
    message: `symbol_or_asset_id must be an asset id (UUID) or a ticker: ${STOCK_SYMBOL_RULE}`,
    ...withErrorCode('INVALID_SYMBOL_FORMAT'),
  })
  symbol_or_asset_id!: string;
}

@PureValidation()
export class CalendarQueryDto extends FreshnessQueryDto {
  @OptionalDateOnly({ description: 'First day, YYYY-MM-DD (Alpaca covers 1970-2029).', example: '2025-01-01' })
  start?: string;

  @OptionalDateOnly({ description: 'Last day, YYYY-MM-DD; not before start.', example: '2025-01-31' })
  end?: string;

  @OptionalIn(['TRADING', 'SETTLEMENT'], { description: 'Which date start and end are (Alpaca default TRADING).' })
  date_type?: 'TRADING' | 'SETTLEMENT';
}
