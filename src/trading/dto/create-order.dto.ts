import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { OptionalIn } from '../../core/validation/query-decorators.js';

export const ORDER_SIDES = ['buy', 'sell'] as const;
export const ORDER_TYPES = ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'] as const;
export const TIME_IN_FORCE = ['day', 'gtc', 'opg', 'cls', 'ioc', 'fok'] as const;
export const ORDER_CLASSES = ['simple', 'bracket', 'oco', 'oto', 'mleg'] as const;
export const POSITION_INTENTS = ['buy_to_open', 'buy_to_close', 'sell_to_open', 'sell_to_close'] as const;
/** TR-SPEC `legs` (<= 4); a spread needs at least two (one leg is a simple option order). */
export const MIN_LEGS = 2;
export const MAX_LEGS = 4;
/** Tickers, class shares, and OCC option symbols. */
export const ORDER_SYMBOL = /^(?:[A-Z]{1,5}(?:\.[A-Z]{1,2})?|[A-Z]{1,5}\d?\d{6}[CP]\d{8})$/;
/** Alpaca's client_order_id: at most 128 characters; we also keep it printable and header-safe. */
export const CLIENT_ORDER_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const DECIMAL_DOC =
  'Positive decimal as a string (e.g. "10" or "150.25"); numbers are refused so no precision is lost.';

export class TakeProfitDto {
  @ApiProperty({ description: DECIMAL_DOC }) @IsString() limit_price!: string;
}

export class StopLossDto {
  @ApiProperty({ description: DECIMAL_DOC }) @IsString() stop_price!: string;
  @ApiPropertyOptional({ description: DECIMAL_DOC }) @IsOptional() @IsString() limit_price?: string;
}

/** One leg of a multi-leg options order (TR-SPEC `MLegOrderLeg`); the rules are in mleg-rules.ts. */
export class OrderLegDto {
  @ApiProperty({ example: 'AAPL250620C00100000', description: 'OCC option symbol.' })
  @IsString()
  @MaxLength(64)
  symbol!: string;
  @ApiProperty({
    example: '1',
    description: "Whole number as a string: this leg's contracts per unit of the strategy (qty).",
  })
  @IsString()
  @MaxLength(16)
  ratio_qty!: string;
  @ApiPropertyOptional({ enum: ORDER_SIDES, description: 'Side or position_intent (or both, agreeing).' })
  @IsOptional()
  @IsIn(ORDER_SIDES)
  side?: (typeof ORDER_SIDES)[number];
  @ApiPropertyOptional({ enum: POSITION_INTENTS })
  @IsOptional()
  @IsIn(POSITION_INTENTS)
  position_intent?: (typeof POSITION_INTENTS)[number];
}

/**
 * POST /orders. Field types are checked here; the combinations (qty xor notional, prices per
 * type, precision) in order-rules.ts, both before anything is sent to Alpaca.
 */
export class CreateOrderDto {
  @ApiPropertyOptional({
    example: 'AAPL',
    description: 'Ticker (BRK.B) or OCC option symbol. Required except on mleg orders, whose legs carry the symbols.',
  })
  @ValidateIf((o: CreateOrderDto) => o.order_class !== 'mleg' || o.symbol !== undefined)
  @IsString()
  @Matches(ORDER_SYMBOL, { message: 'symbol must be an upper-case ticker or an OCC option symbol' })
  symbol?: string;

  @ApiPropertyOptional({ enum: ORDER_SIDES, description: 'Required except on mleg orders (each leg has its side).' })
  @ValidateIf((o: CreateOrderDto) => o.order_class !== 'mleg' || o.side !== undefined)
  @IsIn(ORDER_SIDES)
  side?: (typeof ORDER_SIDES)[number];
  @ApiProperty({ enum: ORDER_TYPES }) @IsIn(ORDER_TYPES) type!: (typeof ORDER_TYPES)[number];

  @ApiProperty({ enum: TIME_IN_FORCE, description: 'Sent as given; ioc/fok are never changed.' })
  @IsIn(TIME_IN_FORCE)
  time_in_force!: (typeof TIME_IN_FORCE)[number];

  @ApiPropertyOptional({ description: `${DECIMAL_DOC} Exactly one of qty and notional.` })
  @IsOptional()
  @IsString()
  qty?: string;
  @ApiPropertyOptional({ description: `${DECIMAL_DOC} Dollar amount; market orders with time_in_force day only.` })
  @IsOptional()
  @IsString()
  notional?: string;
  @ApiPropertyOptional({ description: `${DECIMAL_DOC} Required for limit and stop_limit.` })
  @IsOptional()
  @IsString()
  limit_price?: string;
  @ApiPropertyOptional({ description: `${DECIMAL_DOC} Required for stop and stop_limit.` })
  @IsOptional()
  @IsString()
  stop_price?: string;
  @ApiPropertyOptional({ description: `${DECIMAL_DOC} trailing_stop: exactly one of trail_price, trail_percent.` })
  @IsOptional()
  @IsString()
  trail_price?: string;
  @ApiPropertyOptional({ description: DECIMAL_DOC }) @IsOptional() @IsString() trail_percent?: string;

  @ApiPropertyOptional({ description: 'Only for limit orders with time_in_force day or gtc.' })
  @IsOptional()
  @IsBoolean()
  extended_hours?: boolean;

  @ApiPropertyOptional({ enum: ORDER_CLASSES })
  @IsOptional()
  @IsIn(ORDER_CLASSES)
  order_class?: (typeof ORDER_CLASSES)[number];

  @ApiPropertyOptional({ type: TakeProfitDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => TakeProfitDto)
  take_profit?: TakeProfitDto;

  @ApiPropertyOptional({ type: StopLossDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => StopLossDto)
  stop_loss?: StopLossDto;

  @OptionalIn(POSITION_INTENTS, { description: 'Options: opening or closing (Alpaca infers it when absent).' })
  position_intent?: (typeof POSITION_INTENTS)[number];

  @ApiPropertyOptional({
    type: [OrderLegDto],
    description: `order_class mleg only: ${MIN_LEGS}-${MAX_LEGS} legs, distinct OCC symbols. qty counts units of the strategy; limit_price is the net price (positive debit, negative credit).`,
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(MIN_LEGS, { message: `legs must hold ${MIN_LEGS} to ${MAX_LEGS} legs` })
  @ArrayMaxSize(MAX_LEGS, { message: `legs must hold ${MIN_LEGS} to ${MAX_LEGS} legs` })
  @ValidateNested({ each: true })
  @Type(() => OrderLegDto)
  legs?: OrderLegDto[];

  @ApiPropertyOptional({
    description: "Idempotency key if no Idempotency-Key header is sent; becomes Alpaca's client_order_id.",
  })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  @Matches(CLIENT_ORDER_ID, { message: 'client_order_id must be 1-128 characters of A-Z a-z 0-9 . _ : -' })
  client_order_id?: string;
}
