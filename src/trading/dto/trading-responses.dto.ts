import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/* Swagger shapes for trading answers. Values are Alpaca's: decimals as strings, unset as null. */

export class AccountDto {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'ACTIVE' }) status!: string;
  @ApiProperty({ example: '122086.5', description: 'Decimal string.' }) cash!: string;
  @ApiProperty({ example: '245432.61' }) buying_power!: string;
  @ApiProperty({ example: '123346.11' }) equity!: string;
  @ApiPropertyOptional({ description: 'Every other documented account field, as Alpaca sent it.' }) currency?: string;
}

export class PositionDto {
  @ApiProperty({ example: 'AAPL' }) symbol!: string;
  @ApiProperty({ example: '2' }) qty!: string;
  @ApiProperty({ example: '174.78' }) avg_entry_price!: string;
  @ApiProperty({ example: 'long' }) side!: string;
  @ApiProperty({ example: '348.58' }) market_value!: string;
  @ApiProperty({ example: '-0.98' }) unrealized_pl!: string;
}

export class OrderDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'Your Idempotency-Key (or the one the gateway generated).' }) client_order_id!: string;
  @ApiProperty({ example: 'accepted' }) status!: string;
  @ApiProperty({ example: 'AAPL' }) symbol!: string;
  @ApiPropertyOptional({ type: String, nullable: true, example: '2' }) qty!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) notional!: string | null;
  @ApiProperty({ example: '0' }) filled_qty!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) filled_avg_price!: string | null;
  @ApiProperty({ example: 'limit' }) type!: string;
  @ApiProperty({ example: 'buy' }) side!: string;
  @ApiProperty({ example: 'gtc' }) time_in_force!: string;
  @ApiPropertyOptional({ type: String, nullable: true, example: '150' }) limit_price!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) stop_price!: string | null;
  @ApiPropertyOptional({ example: 'mleg', description: 'simple/"" , bracket, oco, oto, mleg.' }) order_class!: string;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    format: 'uuid',
    description: 'On a replacement: the order it replaced.',
  })
  replaces!: string | null;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    format: 'uuid',
    description: 'On a replaced order: its replacement.',
  })
  replaced_by!: string | null;
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object' },
    nullable: true,
    description: 'mleg and bracket orders: the legs, each an order with ratio_qty.',
  })
  legs!: object[] | null;
}

export class BulkCancelEntryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 200, description: "HTTP status of this order's cancel, as Alpaca reported it." })
  status!: number;
  @ApiPropertyOptional({
    type: 'object',
    nullable: true,
    description: "Alpaca's body for this entry: `{code, message}` when refused.",
    additionalProperties: true,
  })
  body!: object | null;
  @ApiProperty({ description: 'status is 2xx.' }) accepted!: boolean;
}

export class BulkCloseEntryDto {
  @ApiProperty({ example: 'AAPL' }) symbol!: string;
  @ApiProperty({ example: 200, description: "HTTP status of this position's close, as Alpaca reported it." })
  status!: number;
  @ApiPropertyOptional({
    type: 'object',
    nullable: true,
    description: "The closing order, or Alpaca's `{code, message, ...}` when refused.",
    additionalProperties: true,
  })
  body!: object | null;
  @ApiProperty({ description: 'status is 2xx.' }) accepted!: boolean;
}

export class ExerciseResultDto {
  @ApiProperty({ example: 'AAPL250620C00100000' }) symbol!: string;
  @ApiProperty({ enum: [true], description: 'Alpaca accepted the exercise instruction.' }) exercise_submitted!: true;
}

export class ActivitiesPageDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    description:
      'Activities as Alpaca sent them (trade and non-trade shapes; decimals as strings; only the members Alpaca sent).',
  })
  activities!: object[];
  @ApiProperty({
    example: { has_more: true, next_page_token: '20220202135509981::2d7be4ff-d1f3-43e9-856a-0f5cf5c5088e', count: 100 },
  })
  page_info!: object;
}

export class PortfolioHistoryDto {
  @ApiProperty({ type: [Number], description: 'Unix seconds, left-labelled.' }) timestamp!: number[];
  @ApiProperty({ type: [Number], description: 'As Alpaca sent them; null entries kept.' }) equity!: Array<
    number | null
  >;
  @ApiProperty({ type: [Number] }) profit_loss!: Array<number | null>;
  @ApiProperty({ type: [Number] }) profit_loss_pct!: Array<number | null>;
  @ApiProperty() base_value!: number;
  @ApiPropertyOptional({ example: '2023-10-18' }) base_value_asof?: string;
  @ApiProperty({ example: '1D' }) timeframe!: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Per activity type, when cashflow_types asked for it.',
  })
  cashflow?: object;
}

export class CancelResultDto {
  @ApiProperty({ format: 'uuid' }) order_id!: string;
  @ApiProperty({
    enum: [true],
    description: 'Alpaca accepted the cancel request; the order moves to pending_cancel/canceled.',
  })
  cancel_accepted!: true;
}
