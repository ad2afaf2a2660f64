import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Matches } from 'class-validator';
import { withErrorCode } from '../../core/errors/validation.js';
import { normalizeStockSymbol, STOCK_SYMBOL_PATTERN, STOCK_SYMBOL_RULE } from '../../core/validation/stock-symbol.js';
import { OCC_SYMBOL_PATTERN } from '../occ-symbol.js';
import { PureValidation } from '../../core/validation/memoizing-validation.pipe.js';

@PureValidation()
export class OptionSymbolParamDto {
  @ApiProperty({
    description:
      'OCC symbol: ROOT (1-6 characters, adjusted roots such as CSGP1 included) + YYMMDD + C|P + strike x1000 in 8 digits. ' +
      'Lower case is accepted. An invalid symbol is 400 INVALID_OPTION_SYMBOL naming each bad part, before any call to Alpaca.',
    example: 'AAPL240426C00162500',
    pattern: OCC_SYMBOL_PATTERN.source,
  })
  // Checked part by part in the service (requireOccSymbol) so the error can name what is wrong.
  @IsString(withErrorCode('INVALID_OPTION_SYMBOL'))
  option_symbol!: string;
}

@PureValidation()
export class UnderlyingParamDto {
  @ApiProperty({
    description: 'Underlying ticker; lower case is accepted and upper-cased.',
    example: 'AAPL',
    pattern: STOCK_SYMBOL_PATTERN.source,
  })
  @Transform(({ value }: { value: unknown }) => normalizeStockSymbol(value))
  @IsString(withErrorCode('INVALID_SYMBOL_FORMAT'))
  @Matches(STOCK_SYMBOL_PATTERN, {
    message: `underlying must be ${STOCK_SYMBOL_RULE}`,
    ...withErrorCode('INVALID_SYMBOL_FORMAT'),
  })
  underlying!: string;
}
