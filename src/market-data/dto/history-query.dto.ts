import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, NotEquals } from 'class-validator';
import { FreshnessQueryDto } from '../../core/cache/freshness-query.dto.js';
import { withErrorCode } from '../../core/errors/validation.js';
import { toInt } from '../../core/validation/query-transforms.js';
import { IsUpstreamTime } from '../../core/validation/time-range.validator.js';
import { PureValidation } from '../../core/validation/memoizing-validation.pipe.js';

/** Alpaca's page tokens are base64; anything else cannot be one of theirs. */
export const PAGE_TOKEN_PATTERN = /^[A-Za-z0-9+/=_-]{1,1024}$/;
/** MD-SPEC `limit` of the history endpoints. */
export const MAX_HISTORY_LIMIT = 10000;

/** A page of history: the same rules as the bars route (range, limit, sort, page_token). */
@PureValidation()
export class RangeQueryDto extends FreshnessQueryDto {
  @ApiPropertyOptional({ description: 'Inclusive start, RFC-3339 or YYYY-MM-DD (Alpaca default: the beginning of today).', example: '2022-01-03' })
  @IsOptional()
  @IsUpstreamTime(withErrorCode('INVALID_DATE_RANGE'))
  start?: string;

  @ApiPropertyOptional({ description: 'Inclusive end, RFC-3339 or YYYY-MM-DD; not before start.', example: '2022-01-04' })
  @IsOptional()
  @IsUpstreamTime(withErrorCode('INVALID_DATE_RANGE'))
  end?: string;

  @ApiPropertyOptional({ description: 'Items per page, 1..10000 (Alpaca default 1000; it may return fewer, see page_info).', minimum: 1, maximum: MAX_HISTORY_LIMIT })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(MAX_HISTORY_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ enum: ['asc', 'desc'], description: 'Order by time (Alpaca default asc).' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  sort?: 'asc' | 'desc';

  @ApiPropertyOptional({ description: 'page_info.next_page_token of the previous page.' })
  @IsOptional()
  @IsString()
  @NotEquals('null', { message: 'page_token must be a token from page_info.next_page_token, not "null"' })
  @Matches(PAGE_TOKEN_PATTERN, { message: 'page_token must be a token from page_info.next_page_token' })
  page_token?: string;
}

/** Stock history adds Alpaca's symbol-rename date. */
@PureValidation()
export class StockHistoryQueryDto extends RangeQueryDto {
  @ApiPropertyOptional({ description: 'Symbol-rename mapping date YYYY-MM-DD, or - to disable (Alpaca default today).' })
  @IsOptional()
  @Matches(/^(?:\d{4}-\d{2}-\d{2}|-)$/, { message: 'asof must be YYYY-MM-DD or -' })
  asof?: string;
}
