import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { withErrorCode } from '../../core/errors/validation.js';
import { toTrimmedUpperAscii } from '../../core/validation/query-transforms.js';
import { ORDER_SYMBOL } from './create-order.dto.js';
import { OptionalInt, OptionalBool, OptionalIn, OptionalUpstreamTime } from '../../core/validation/query-decorators.js';

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
  @Matches(ORDER_SYMBOL, {
    message:
      'symbol must be a ticker (1-5 letters such as AAPL, or a class share such as BRK.B) or an OCC option symbol; lower case is accepted and upper-cased',
    ...withErrorCode('INVALID_SYMBOL_FORMAT'),
  })
  symbol!: string;
}

export const MAX_ORDERS_LIMIT = 500;

export class OrdersQueryDto {
  @OptionalIn(['open', 'closed', 'all'], { description: 'Alpaca default: open.' })
  status?: 'open' | 'closed' | 'all';

  @OptionalInt(1, MAX_ORDERS_LIMIT, { description: 'Alpaca default 50.' })
  limit?: number;

  @OptionalUpstreamTime({ description: 'Submitted after (exclusive), RFC-3339 or YYYY-MM-DD.' })
  after?: string;

  @OptionalUpstreamTime({ description: 'Submitted until (exclusive).' })
  until?: string;

  @OptionalIn(['asc', 'desc'], { description: 'Alpaca default desc.' })
  direction?: 'asc' | 'desc';

  @ApiPropertyOptional({ description: 'Comma-separated symbols.', example: 'AAPL,MSFT' })
  @IsOptional()
  @Transform(upper)
  @Matches(/^[A-Z0-9.]{1,21}(,[A-Z0-9.]{1,21}){0,99}$/, {
    message: 'symbols must be a comma-separated list of up to 100 symbols',
  })
  symbols?: string;

  @OptionalBool({ description: 'Roll multi-leg orders up under their parent.' })
  nested?: boolean;
}
