import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, Min } from 'class-validator';
import { withErrorCode } from '../../core/errors/validation.js';
import { toBool, toInt, toTrimmedUpperAscii } from '../../core/validation/query-transforms.js';
import { IsUpstreamTime } from '../../core/validation/time-range.validator.js';
import { ORDER_SYMBOL } from './create-order.dto.js';

const upper = toTrimmedUpperAscii;

export class OrderIdParamDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'id must be an order UUID' })
  id!: string;
}

export class PositionParamDto {
  @ApiProperty({ example: 'AAPL', description: 'Ticker or OCC option symbol.' })
  @Transform(upper)
  @IsString()
  @Matches(ORDER_SYMBOL, { message: 'symbol must be a ticker (1-5 letters such as AAPL, or a class share such as BRK.B) or an OCC option symbol; lower case is accepted and upper-cased', ...withErrorCode('INVALID_SYMBOL_FORMAT') })
  symbol!: string;
}

export const MAX_ORDERS_LIMIT = 500;

export class OrdersQueryDto {
  @ApiPropertyOptional({ enum: ['open', 'closed', 'all'], description: 'Alpaca default: open.' })
  @IsOptional()
  @IsIn(['open', 'closed', 'all'])
  status?: 'open' | 'closed' | 'all';

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_ORDERS_LIMIT, description: 'Alpaca default 50.' })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(MAX_ORDERS_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'Submitted after (exclusive), RFC-3339 or YYYY-MM-DD.' })
  @IsOptional()
  @IsUpstreamTime(withErrorCode('INVALID_DATE_RANGE'))
  after?: string;

  @ApiPropertyOptional({ description: 'Submitted until (exclusive).' })
  @IsOptional()
  @IsUpstreamTime(withErrorCode('INVALID_DATE_RANGE'))
  until?: string;

  @ApiPropertyOptional({ enum: ['asc', 'desc'], description: 'Alpaca default desc.' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  direction?: 'asc' | 'desc';

  @ApiPropertyOptional({ description: 'Comma-separated symbols.', example: 'AAPL,MSFT' })
  @IsOptional()
  @Transform(upper)
  @Matches(/^[A-Z0-9.]{1,21}(,[A-Z0-9.]{1,21}){0,99}$/, { message: 'symbols must be a comma-separated list of up to 100 symbols' })
  symbols?: string;

  @ApiPropertyOptional({ description: 'Roll multi-leg orders up under their parent.' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  nested?: boolean;
}
