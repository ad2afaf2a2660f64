import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Matches } from 'class-validator';
import { withErrorCode } from '../../core/errors/validation.js';
import { normalizeStockSymbol, STOCK_SYMBOL_PATTERN, STOCK_SYMBOL_RULE } from '../../core/validation/stock-symbol.js';
import { PureValidation } from '../../core/validation/memoizing-validation.pipe.js';

@PureValidation()
export class SymbolParamDto {
  @ApiProperty({
    description:
      'Ticker; lower case is accepted and upper-cased, class shares use a dot (BRK.B; BRK-B and BRK/B are accepted).',
    example: 'AAPL',
    pattern: STOCK_SYMBOL_PATTERN.source,
  })
  @Transform(({ value }: { value: unknown }) => normalizeStockSymbol(value))
  @IsString(withErrorCode('INVALID_SYMBOL_FORMAT'))
  @Matches(STOCK_SYMBOL_PATTERN, {
    message: `symbol must be ${STOCK_SYMBOL_RULE}`,
    ...withErrorCode('INVALID_SYMBOL_FORMAT'),
  })
  symbol!: string;
}
