import { ApiProperty } from '@nestjs/swagger';
import type {
  OptionContract,
  OptionGreeks,
  OptionQuote,
  OptionTrade,
  OptionType,
} from '../../alpaca/options/options.models.js';
import type {
  ChainCompleteness,
  OptionBatchResult,
  OptionChainResult,
  OptionContractsResult,
  OptionQuoteResult,
  PageInfo,
} from '../options-results.models.js';

/* Swagger models for the options routes. Each implements the model it documents, so the
   compiler keeps the docs and the data in step. */

export class OptionQuoteDto implements OptionQuote {
  @ApiProperty({ example: '2024-04-22T19:59:59.992734208Z', description: "Alpaca's timestamp, nanoseconds kept." })
  timestamp!: string;
  @ApiProperty({ example: 4.15 }) bid_price!: number;
  @ApiProperty({ example: 16 }) bid_size!: number;
  @ApiProperty({ example: 'C' }) bid_exchange!: string;
  @ApiProperty({ example: 4.3 }) ask_price!: number;
  @ApiProperty({ example: 91 }) ask_size!: number;
  @ApiProperty({ example: 'B' }) ask_exchange!: string;
  @ApiProperty({ example: 'A', description: "Alpaca's single condition code (options quotes carry one, not a list)." })
  condition!: string;
}

export class OptionTradeDto implements OptionTrade {
  @ApiProperty({ example: '2024-04-22T19:57:32.589554432Z' }) timestamp!: string;
  @ApiProperty({ example: 4.1 }) price!: number;
  @ApiProperty({ example: 1 }) size!: number;
  @ApiProperty({ example: 'A' }) exchange!: string;
  @ApiProperty({ example: 'I' }) condition!: string;
}

export class OptionGreeksDto implements OptionGreeks {
  @ApiProperty({ example: 0.7521304109871954 }) delta!: number;
  @ApiProperty({ example: 0.06241426404871288 }) gamma!: number;
  @ApiProperty({ example: -0.2847623059595503 }) theta!: number;
  @ApiProperty({ example: 0.047540520834498785 }) vega!: number;
  @ApiProperty({ example: 0.009910739032549095 }) rho!: number;
}

export class OptionQuoteResultDto implements OptionQuoteResult {
  @ApiProperty({ example: 'AAPL240426C00162500' }) symbol!: string;
  @ApiProperty({
    example: 'AAPL',
    description:
      'OCC root decoded from the symbol. Usually the underlying ticker, but not always (SPXW for SPX, adjusted roots such as XOM2); /options/contracts has underlying_symbol.',
  })
  root_symbol!: string;
  @ApiProperty({ example: '2024-04-26', description: 'Decoded from the symbol, YYYY-MM-DD.' }) expiration_date!: string;
  @ApiProperty({ enum: ['call', 'put'] }) option_type!: OptionType;
  @ApiProperty({ example: '162.5', description: 'Decoded from the symbol as a decimal string (no floating point).' })
  strike_price!: string;
  @ApiProperty({ type: OptionQuoteDto, nullable: true }) latest_quote!: OptionQuoteDto | null;
  @ApiProperty({
    type: OptionTradeDto,
    nullable: true,
    description: 'null when the contract has not traded (latest_trade_available false).',
  })
  latest_trade!: OptionTradeDto | null;
  @ApiProperty({
    type: OptionGreeksDto,
    nullable: true,
    description:
      "Exactly as Alpaca's snapshot has them; null (greeks_available false) when Alpaca sent none. Never computed here.",
  })
  greeks!: OptionGreeksDto | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0.3372405712050441,
    description: "Alpaca's impliedVolatility; null (iv_available false) when absent.",
  })
  implied_volatility!: number | null;
  @ApiProperty() latest_quote_available!: boolean;
  @ApiProperty() latest_trade_available!: boolean;
  @ApiProperty() greeks_available!: boolean;
  @ApiProperty() iv_available!: boolean;
}

class OptionBatchErrorDto {
  @ApiProperty({ example: 'OPTION_DATA_UNAVAILABLE' }) code!: 'OPTION_DATA_UNAVAILABLE';
  @ApiProperty() message!: string;
  @ApiProperty({ example: 'data_unavailable' }) type!: string;
}

class OptionBatchItemDto {
  @ApiProperty({ example: 'AAPL240426C00162500' }) symbol!: string;
  @ApiProperty({ enum: ['success', 'error'] }) status!: 'success' | 'error';
  @ApiProperty({ type: OptionQuoteResultDto, nullable: true }) data!: OptionQuoteResultDto | null;
  @ApiProperty({ type: OptionBatchErrorDto, nullable: true }) error!: OptionBatchErrorDto | null;
}

class OptionBatchSummaryDto {
  @ApiProperty() total_requested!: number;
  @ApiProperty() successful!: number;
  @ApiProperty() failed!: number;
  @ApiProperty({ description: 'Repeated symbols collapsed into one.' }) duplicates_removed!: number;
}

export class OptionBatchResultDto implements OptionBatchResult {
  @ApiProperty({ type: [OptionBatchItemDto] }) quotes!: OptionBatchItemDto[];
  @ApiProperty({ type: OptionBatchSummaryDto }) summary!: OptionBatchSummaryDto;
}

class PageInfoDto implements PageInfo {
  @ApiProperty() has_more!: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'Send as page_token to get the next page.' })
  next_page_token!: string | null;
  @ApiProperty({ description: 'Items on this page.' }) count!: number;
}

class ChainCompletenessDto implements ChainCompleteness {
  @ApiProperty({ description: 'Contracts on this page.' }) contracts!: number;
  @ApiProperty({ description: 'Of which Alpaca sent greeks for.' }) with_greeks!: number;
  @ApiProperty({ description: 'Of which Alpaca sent an implied volatility for.' }) with_implied_volatility!: number;
  @ApiProperty() with_latest_quote!: number;
  @ApiProperty() with_latest_trade!: number;
}

export class OptionChainResultDto implements OptionChainResult {
  @ApiProperty({ example: 'AAPL' }) underlying_symbol!: string;
  @ApiProperty({
    type: [OptionQuoteResultDto],
    description: 'This page, sorted by expiration, then strike, then type (calls first).',
  })
  contracts!: OptionQuoteResultDto[];
  @ApiProperty({ type: ChainCompletenessDto }) completeness!: ChainCompletenessDto;
  @ApiProperty({ type: PageInfoDto }) page_info!: PageInfoDto;
}

export class OptionContractDto implements OptionContract {
  @ApiProperty({ example: '98359ef7-5124-49f3-85ea-5cf02df6defa' }) id!: string;
  @ApiProperty({ example: 'AAPL250620C00100000' }) symbol!: string;
  @ApiProperty({ example: 'AAPL Jun 20 2025 100 Call' }) name!: string;
  @ApiProperty({ example: 'active' }) status!: string;
  @ApiProperty() tradable!: boolean;
  @ApiProperty({ example: '2025-06-20' }) expiration_date!: string;
  @ApiProperty({ type: String, nullable: true, example: 'AAPL' }) root_symbol!: string | null;
  @ApiProperty({ example: 'AAPL' }) underlying_symbol!: string;
  @ApiProperty({ example: 'b0b6dd9d-8b9b-48a9-ba46-b9d54906e415' }) underlying_asset_id!: string;
  @ApiProperty({ example: 'call', description: "Alpaca's `type`." }) option_type!: string;
  @ApiProperty({ example: 'american' }) style!: string;
  @ApiProperty({ example: '100', description: 'Decimal string, as Alpaca sent it.' }) strike_price!: string;
  @ApiProperty({ example: '100' }) multiplier!: string;
  @ApiProperty({ example: '100' }) size!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '237',
    description: 'String as Alpaca sent it; null when Alpaca has none.',
  })
  open_interest!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '2023-12-11' }) open_interest_date!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '148.38',
    description: 'String as Alpaca sent it; null when Alpaca has none.',
  })
  close_price!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '2023-12-11' }) close_price_date!: string | null;
}

export class OptionContractsResultDto implements OptionContractsResult {
  @ApiProperty({ type: [OptionContractDto] }) contracts!: OptionContractDto[];
  @ApiProperty({ type: PageInfoDto }) page_info!: PageInfoDto;
}
