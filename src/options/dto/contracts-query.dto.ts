import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches } from 'class-validator';
import { withErrorCode } from '../../core/errors/validation.js';
import type { OptionType } from '../../alpaca/options/options.models.js';
import { STOCK_SYMBOL_RULE } from '../../core/validation/stock-symbol.js';
import { POSITIVE_DECIMAL } from '../../core/validation/decimal-string.js';
import { OCC_ROOT_PATTERN } from '../occ-symbol.js';
import { IsCalendarDate, toUpper } from './query-rules.js';
import { FreshnessQueryDto } from '../../core/cache/freshness-query.dto.js';
import {
  OptionalIn,
  OptionalInt,
  OptionalPageToken,
  TICKER_LIST,
  toTickerList,
} from '../../core/validation/query-decorators.js';

export const MAX_CONTRACTS_LIMIT = 10000;
const STRIKE_MESSAGE = 'must be a positive decimal such as 150 or 151.5';

export class ContractsQueryDto extends FreshnessQueryDto {
  @ApiPropertyOptional({ description: 'Comma-separated underlying tickers.', example: 'AAPL,SPX' })
  @IsOptional()
  @IsString()
  @Transform(toTickerList)
  @Matches(TICKER_LIST, {
    message: `underlying_symbols must be comma-separated tickers, each ${STOCK_SYMBOL_RULE}`,
    ...withErrorCode('INVALID_SYMBOL_FORMAT'),
  })
  underlying_symbols?: string;

  @OptionalIn(['active', 'inactive'], { description: 'Alpaca default: active.' })
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
  @Matches(OCC_ROOT_PATTERN, {
    message: 'root_symbol must be 1-6 letters, optionally ending in one adjustment digit',
    ...withErrorCode('INVALID_SYMBOL_FORMAT'),
  })
  root_symbol?: string;

  @OptionalIn(['call', 'put'])
  type?: OptionType;

  @OptionalIn(['american', 'european'])
  style?: 'american' | 'european';

  @ApiPropertyOptional({ description: 'Lowest strike, sent exactly as written.', example: '100' })
  @IsOptional()
  @IsString()
  @Matches(POSITIVE_DECIMAL, { message: `strike_price_gte ${STRIKE_MESSAGE}` })
  strike_price_gte?: string;

  @ApiPropertyOptional({
    description: 'Highest strike, sent exactly as written; not below strike_price_gte.',
    example: '200',
  })
  @IsOptional()
  @IsString()
  @Matches(POSITIVE_DECIMAL, { message: `strike_price_lte ${STRIKE_MESSAGE}` })
  strike_price_lte?: string;

  @OptionalInt(1, MAX_CONTRACTS_LIMIT, { description: 'Contracts per page, 1..10000 (Alpaca default 100).' })
  limit?: number;

  @OptionalPageToken()
  page_token?: string;
}
