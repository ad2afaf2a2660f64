import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, NotEquals } from 'class-validator';
import { FreshnessQueryDto } from '../../core/cache/freshness-query.dto.js';
import { withErrorCode } from '../../core/errors/validation.js';
import { toInt } from '../../core/validation/query-transforms.js';
import { IsUpstreamTime } from '../../core/validation/time-range.validator.js';
import { PureValidation } from '../../core/validation/memoizing-validation.pipe.js';

/** Alpaca's timeframe grammar (alpaca-api.md §2.2); case-sensitive like Alpaca. */
export const TIMEFRAME_PATTERN =
  /^(?:(?:[1-9]|[1-5]\d)(?:Min|T)|(?:[1-9]|1\d|2[0-3])(?:Hour|H)|1(?:Day|D)|1(?:Week|W)|(?:1|2|3|4|6|12)(?:Month|M))$/;
const ADJUSTMENT_PATTERN = /^(?:raw|split|dividend|spin-off|all)(?:,(?:raw|split|dividend|spin-off|all))*$/;
/** Alpaca's page tokens are base64; anything else cannot be one of theirs. */
const PAGE_TOKEN_PATTERN = /^[A-Za-z0-9+/=_-]{1,1024}$/;
export const MAX_BARS_LIMIT = 10000;


@PureValidation()
export class BarsQueryDto extends FreshnessQueryDto {
  @ApiProperty({ description: 'Bar size, Alpaca grammar: 1-59Min|T, 1-23Hour|H, 1Day|D, 1Week|W, 1/2/3/4/6/12Month|M.', example: '1Day' })
  @IsString()
  @Matches(TIMEFRAME_PATTERN, { message: 'timeframe must follow Alpaca grammar, e.g. 1Min, 15Min, 1Hour, 1Day, 1Week, 1Month' })
  timeframe!: string;

  @ApiPropertyOptional({ description: 'Inclusive start, RFC-3339 or YYYY-MM-DD.', example: '2024-01-02' })
  @IsOptional()
  @IsUpstreamTime(withErrorCode('INVALID_DATE_RANGE'))
  start?: string;

  @ApiPropertyOptional({ description: 'Inclusive end, RFC-3339 or YYYY-MM-DD; not before start.', example: '2024-03-28' })
  @IsOptional()
  @IsUpstreamTime(withErrorCode('INVALID_DATE_RANGE'))
  end?: string;

  @ApiPropertyOptional({ description: 'Bars per page, 1..10000 (Alpaca default 1000; it may return fewer, see page_info).', minimum: 1, maximum: MAX_BARS_LIMIT })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(MAX_BARS_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'page_info.next_page_token of the previous page.' })
  @IsOptional()
  @IsString()
  @NotEquals('null', { message: 'page_token must be a token from page_info.next_page_token, not "null"' })
  @Matches(PAGE_TOKEN_PATTERN, { message: 'page_token must be a token from page_info.next_page_token' })
  page_token?: string;

  @ApiPropertyOptional({ description: 'raw (default), split, dividend, spin-off, all; comma-combinable.', example: 'split' })
  @IsOptional()
  @Matches(ADJUSTMENT_PATTERN, { message: 'adjustment must be raw, split, dividend, spin-off or all (comma-combinable)' })
  adjustment?: string;

  @ApiPropertyOptional({ enum: ['asc', 'desc'], description: 'Order by time (Alpaca default asc).' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  sort?: 'asc' | 'desc';

  @ApiPropertyOptional({ description: 'Symbol-rename mapping date YYYY-MM-DD, or - to disable (Alpaca default today).' })
  @IsOptional()
  @Matches(/^(?:\d{4}-\d{2}-\d{2}|-)$/, { message: 'asof must be YYYY-MM-DD or -' })
  asof?: string;
}

