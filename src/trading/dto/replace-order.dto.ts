import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { CLIENT_ORDER_ID, TIME_IN_FORCE } from './create-order.dto.js';

const DECIMAL_DOC = 'Decimal as a string (e.g. "10" or "150.25"); numbers are refused so no precision is lost.';

/**
 * PATCH /orders/{id} (TR-SPEC `PatchOrderRequest`): each field given overrides the order's; the
 * others stay. Field types here; the values (precision, sign) in replace-rules.ts.
 */
export class ReplaceOrderDto {
  @ApiPropertyOptional({ description: `${DECIMAL_DOC} Whole shares only (Alpaca cannot patch fractional quantities).` })
  @IsOptional()
  @IsString()
  qty?: string;
  @ApiPropertyOptional({
    description: `${DECIMAL_DOC} For a multi-leg order the net price: positive debit, negative credit.`,
  })
  @IsOptional()
  @IsString()
  limit_price?: string;
  @ApiPropertyOptional({ description: DECIMAL_DOC }) @IsOptional() @IsString() stop_price?: string;
  @ApiPropertyOptional({
    description: `${DECIMAL_DOC} trailing_stop orders: the new trail_price or trail_percent value.`,
  })
  @IsOptional()
  @IsString()
  trail?: string;
  @ApiPropertyOptional({ enum: TIME_IN_FORCE })
  @IsOptional()
  @IsIn(TIME_IN_FORCE)
  time_in_force?: (typeof TIME_IN_FORCE)[number];

  @ApiPropertyOptional({
    description:
      "The new order's client_order_id, if no Idempotency-Key header is sent (it is the replacement's idempotency key).",
  })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  @Matches(CLIENT_ORDER_ID, { message: 'client_order_id must be 1-128 characters of A-Z a-z 0-9 . _ : -' })
  client_order_id?: string;
}
