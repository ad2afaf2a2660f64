import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, NotEquals } from 'class-validator';
import { FreshnessQueryDto } from '../../core/cache/freshness-query.dto.js';
import { withErrorCode } from '../../core/errors/validation.js';
import { PureValidation } from '../../core/validation/memoizing-validation.pipe.js';
import { toInt } from '../../core/validation/query-transforms.js';
import { BarsQueryDto } from '../../market-data/dto/bars-query.dto.js';
import { PAGE_TOKEN_PATTERN, RangeQueryDto, StockHistoryQueryDto } from '../../market-data/dto/history-query.dto.js';
import { CorporateActionsQueryDto } from '../../market-data/dto/reference-query.dto.js';
import { OptionBarsQueryDto } from '../../options/dto/option-data.dto.js';
import { IsCalendarDate } from '../../options/dto/query-rules.js';
import { POSITIVE_DECIMAL } from '../../core/validation/decimal-string.js';

/*
 * Query parameters of Alpaca's market-data operations, by Alpaca's names. Each class extends the
 * /api/v1 rules of the same operation where the names agree (ranges, limits, timeframe grammar,
 * page tokens), so both faces refuse the same input; what only Alpaca has is added here. A
 * parameter Alpaca documents that the gateway cannot honour is declared, so that it is refused by
 * name (see served-params.ts), never silently dropped.
 */

const Feed = (): PropertyDecorator => applyDecorators(IsOptional(), IsString(), MaxLength(20));
const Currency = (): PropertyDecorator => applyDecorators(IsOptional(), IsString(), MaxLength(10));
const Text = (max: number): PropertyDecorator => applyDecorators(IsOptional(), IsString(), MaxLength(max));
const StockSymbols = (): PropertyDecorator =>
  applyDecorators(
    IsString(withErrorCode('INVALID_SYMBOL_FORMAT')),
    MaxLength(20_000, withErrorCode('INVALID_SYMBOL_FORMAT')),
  );
const OptionSymbols = (): PropertyDecorator =>
  applyDecorators(
    IsString(withErrorCode('INVALID_OPTION_SYMBOL')),
    MaxLength(4_000, withErrorCode('INVALID_OPTION_SYMBOL')),
  );
const PageToken = (): PropertyDecorator =>
  applyDecorators(
    IsOptional(),
    IsString(),
    NotEquals('null', { message: 'page_token must be a next_page_token of a previous page, not "null"' }),
    Matches(PAGE_TOKEN_PATTERN, { message: 'page_token must be a next_page_token of a previous page' }),
  );

/** `/v2/stocks/{symbol}/quotes|trades|auctions`. */
@PureValidation()
export class StockHistoryQuery extends StockHistoryQueryDto {
  @Feed() feed?: string;
  @Currency() currency?: string;
}

/** `/v2/stocks/quotes|trades|auctions?symbols=`. */
@PureValidation()
export class StockHistoryListQuery extends StockHistoryQuery {
  @StockSymbols() symbols!: string;
}

/** `/v2/stocks/{symbol}/bars`. */
@PureValidation()
export class StockBarsQuery extends BarsQueryDto {
  @Feed() feed?: string;
  @Currency() currency?: string;
}

/** `/v2/stocks/bars?symbols=`. */
@PureValidation()
export class StockBarsListQuery extends StockBarsQuery {
  @StockSymbols() symbols!: string;
}

/** The `feed` of the options operations that take one. */
@PureValidation()
export class OptionFeedQuery extends FreshnessQueryDto {
  @Feed() feed?: string;
}

/** `/v1beta1/options/quotes/latest` and `/trades/latest`. */
@PureValidation()
export class OptionLatestQuery extends OptionFeedQuery {
  @OptionSymbols() symbols!: string;
}

/** `/v1beta1/options/snapshots?symbols=`. */
@PureValidation()
export class OptionSnapshotsQuery extends OptionLatestQuery {
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @PageToken() page_token?: string;
  @Text(40) updated_since?: string;
}

const STRIKE = { message: 'must be a positive decimal such as 150 or 151.5' };

/** `/v1beta1/options/snapshots/{underlying_symbol}`: the chain filters by Alpaca's names. */
@PureValidation()
export class OptionChainQuery extends OptionFeedQuery {
  @IsOptional()
  @IsIn(['call', 'put'])
  type?: 'call' | 'put';

  @IsOptional()
  @IsString()
  @Matches(POSITIVE_DECIMAL, STRIKE)
  strike_price_gte?: string;

  @IsOptional()
  @IsString()
  @Matches(POSITIVE_DECIMAL, STRIKE)
  strike_price_lte?: string;

  @IsOptional()
  @IsCalendarDate(withErrorCode('INVALID_DATE_RANGE'))
  expiration_date?: string;

  @IsOptional()
  @IsCalendarDate(withErrorCode('INVALID_DATE_RANGE'))
  expiration_date_gte?: string;

  @IsOptional()
  @IsCalendarDate(withErrorCode('INVALID_DATE_RANGE'))
  expiration_date_lte?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @PageToken() page_token?: string;
  @Text(40) updated_since?: string;
  @Text(20) root_symbol?: string;
}

/** `/v1beta1/options/bars?symbols=`. */
@PureValidation()
export class OptionBarsQuery extends OptionBarsQueryDto {
  @OptionSymbols() symbols!: string;
}

/** `/v1beta1/options/trades?symbols=`. */
@PureValidation()
export class OptionTradesQuery extends RangeQueryDto {
  @OptionSymbols() symbols!: string;
}

/** `/v1/corporate-actions`: /api/v1's filters, and the three it does not take. */
@PureValidation()
export class CorporateActionsQuery extends CorporateActionsQueryDto {
  @Text(2_000) cusips?: string;
  @Text(10) region?: string;
  @Text(4_000) ids?: string;
}
