import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Equals, IsOptional, IsString, MaxLength } from 'class-validator';
import { withErrorCode } from '../../core/errors/validation.js';
import { OptionalBool } from '../../core/validation/query-decorators.js';

/** DELETE /positions/{symbol}: how much to close (TR-SPEC deleteOpenPosition); neither → all of it. */
export class ClosePositionQueryDto {
  @ApiPropertyOptional({
    example: '1',
    description: 'Shares or contracts to close, up to 9 decimal places. Not with percentage.',
  })
  @IsOptional()
  @IsString()
  qty?: string;

  @ApiPropertyOptional({
    example: '50',
    description: 'Percent of the position to close, above 0 and at most 100, up to 9 decimal places. Not with qty.',
  })
  @IsOptional()
  @IsString()
  percentage?: string;
}

/**
 * The confirmation every bulk write needs (`?confirm=true`), so that no request reaches "every
 * position" or "every order" unless it says so; anything else is 400 CONFIRMATION_REQUIRED.
 */
export class BulkConfirmationQueryDto {
  @ApiProperty({ enum: ['true'], description: 'Must be `true`: this acts on every position or order of the account.' })
  @Equals('true', {
    message: 'confirm=true is required to act on every position or order',
    ...withErrorCode('CONFIRMATION_REQUIRED'),
  })
  confirm!: 'true';
}

export class CloseAllPositionsQueryDto extends BulkConfirmationQueryDto {
  @OptionalBool({ description: "Cancel every open order before closing the positions (Alpaca's cancel_orders)." })
  cancel_orders?: boolean;
}

export class ContractParamDto {
  @ApiProperty({
    example: 'AAPL250620C00100000',
    description: 'OCC symbol of a held option contract; anything else is 400 INVALID_OPTION_SYMBOL.',
  })
  // Checked part by part in the service (requireOccSymbol) so the error can name what is wrong.
  @IsString(withErrorCode('INVALID_OPTION_SYMBOL'))
  @MaxLength(64, withErrorCode('INVALID_OPTION_SYMBOL'))
  contract!: string;
}
