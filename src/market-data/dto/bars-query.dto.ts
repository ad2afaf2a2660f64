import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { PureValidation } from '../../core/validation/memoizing-validation.pipe.js';
import { StockHistoryQueryDto } from './history-query.dto.js';

/** Alpaca's timeframe grammar (docs/alpaca-wire.md "Bars and history"); case-sensitive like Alpaca. */
export const TIMEFRAME_PATTERN =
  /^(?:(?:[1-9]|[1-5]\d)(?:Min|T)|(?:[1-9]|1\d|2[0-3])(?:Hour|H)|1(?:Day|D)|1(?:Week|W)|(?:1|2|3|4|6|12)(?:Month|M))$/;
const ADJUSTMENT_PATTERN = /^(?:raw|split|dividend|spin-off|all)(?:,(?:raw|split|dividend|spin-off|all))*$/;

/**
 * A page of stock bars: the rules of every stock history page (range, limit, sort, page_token,
 * asof) plus Alpaca's timeframe grammar and adjustment.
 */
@PureValidation()
export class BarsQueryDto extends StockHistoryQueryDto {
  @ApiProperty({
    description: 'Bar size, Alpaca grammar: 1-59Min|T, 1-23Hour|H, 1Day|D, 1Week|W, 1/2/3/4/6/12Month|M.',
    example: '1Day',
  })
  @IsString()
  @Matches(TIMEFRAME_PATTERN, {
    message: 'timeframe must follow Alpaca grammar, e.g. 1Min, 15Min, 1Hour, 1Day, 1Week, 1Month',
  })
  timeframe!: string;

  @ApiPropertyOptional({
    description: 'raw (default), split, dividend, spin-off, all; comma-combinable.',
    example: 'split',
  })
  @IsOptional()
  @Matches(ADJUSTMENT_PATTERN, {
    message: 'adjustment must be raw, split, dividend, spin-off or all (comma-combinable)',
  })
  adjustment?: string;
}
