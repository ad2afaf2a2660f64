import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { withErrorCode } from '../../core/errors/validation.js';
import type { OptionType } from '../../alpaca/options/options.models.js';
import { POSITIVE_DECIMAL } from '../../core/validation/decimal-string.js';
import { IsCalendarDate } from './query-rules.js';
import { FreshnessQueryDto } from '../../core/cache/freshness-query.dto.js';
import { PureValidation } from '../../core/validation/memoizing-validation.pipe.js';
import { OptionalInt, OptionalIn, OptionalPageToken } from '../../core/validation/query-decorators.js';

export const MAX_CHAIN_LIMIT = 1000;
const STRIKE_MESSAGE = 'must be a positive decimal such as 150 or 151.5';

@PureValidation()
export class ChainQueryDto extends FreshnessQueryDto {
  @ApiPropertyOptional({ description: 'Only contracts expiring on this day (YYYY-MM-DD).', example: '2024-04-26' })
  @IsOptional()
  @IsCalendarDate(withErrorCode('INVALID_DATE_RANGE'))
  expiration_date?: string;

  @ApiPropertyOptional({ description: 'Expiring on or after this day (YYYY-MM-DD).', example: '2024-04-22' })
  @IsOptional()
  @IsCalendarDate(withErrorCode('INVALID_DATE_RANGE'))
  expiration_date_gte?: string;

  @ApiPropertyOptional({
    description: 'Expiring on or before this day (YYYY-MM-DD); not before expiration_date_gte.',
    example: '2024-06-21',
  })
  @IsOptional()
  @IsCalendarDate(withErrorCode('INVALID_DATE_RANGE'))
  expiration_date_lte?: string;

  @OptionalIn(['call', 'put'], { description: 'Sent to Alpaca as `type`.' })
  option_type?: OptionType;

  @ApiPropertyOptional({ description: 'Lowest strike, sent as strike_price_gte exactly as written.', example: '150' })
  @IsOptional()
  @IsString()
  @Matches(POSITIVE_DECIMAL, { message: `min_strike ${STRIKE_MESSAGE}` })
  min_strike?: string;

  @ApiPropertyOptional({
    description: 'Highest strike, sent as strike_price_lte exactly as written; not below min_strike.',
    example: '175',
  })
  @IsOptional()
  @IsString()
  @Matches(POSITIVE_DECIMAL, { message: `max_strike ${STRIKE_MESSAGE}` })
  max_strike?: string;

  @OptionalInt(1, MAX_CHAIN_LIMIT, { description: 'Contracts per page, 1..1000 (Alpaca default 100).' })
  limit?: number;

  @OptionalPageToken()
  page_token?: string;
}
