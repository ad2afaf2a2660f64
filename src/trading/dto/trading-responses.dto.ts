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
}

export class CancelResultDto {
  @ApiProperty({ format: 'uuid' }) order_id!: string;
  @ApiProperty({ enum: [true], description: 'Alpaca accepted the cancel request; the order moves to pending_cancel/canceled.' })
  cancel_accepted!: true;
}
