import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { FreshnessQueryDto } from '../../core/cache/freshness-query.dto.js';
import { PureValidation } from '../../core/validation/memoizing-validation.pipe.js';
import {
  OptionalIn,
  OptionalInt,
  OptionalPageToken,
  OptionalUpstreamTime,
} from '../../core/validation/query-decorators.js';

export { PAGE_TOKEN_PATTERN } from '../../core/validation/query-decorators.js';
/** MD-SPEC `limit` of the history endpoints. */
export const MAX_HISTORY_LIMIT = 10000;

/** A page of history: the same rules as the bars route (range, limit, sort, page_token). */
@PureValidation()
export class RangeQueryDto extends FreshnessQueryDto {
  @OptionalUpstreamTime({
    description: 'Inclusive start, RFC-3339 or YYYY-MM-DD (Alpaca default: the beginning of today).',
    example: '2022-01-03',
  })
  start?: string;

  @OptionalUpstreamTime({
    description: 'Inclusive end, RFC-3339 or YYYY-MM-DD; not before start.',
    example: '2022-01-04',
  })
  end?: string;

  @OptionalInt(1, MAX_HISTORY_LIMIT, {
    description: 'Items per page, 1..10000 (Alpaca default 1000; it may return fewer, see page_info).',
  })
  limit?: number;

  @OptionalIn(['asc', 'desc'], { description: 'Order by time (Alpaca default asc).' })
  sort?: 'asc' | 'desc';

  @OptionalPageToken()
  page_token?: string;
}

/** Stock history adds Alpaca's symbol-rename date. */
@PureValidation()
export class StockHistoryQueryDto extends RangeQueryDto {
  @ApiPropertyOptional({
    description: 'Symbol-rename mapping date YYYY-MM-DD, or - to disable (Alpaca default today).',
  })
  @IsOptional()
  @Matches(/^(?:\d{4}-\d{2}-\d{2}|-)$/, { message: 'asof must be YYYY-MM-DD or -' })
  asof?: string;
}
