import { ApiProperty } from '@nestjs/swagger';
import type {
  Bar,
  MarketClock,
  StockQuote,
  StockSnapshot,
  StockTrade,
} from '../../alpaca/stocks/market-data.models.js';

/* Swagger models for the stock routes. Each implements the model it documents, so the
   compiler keeps the docs and the data in step. */

export class StockQuoteDto implements StockQuote {
  @ApiProperty({ example: 'AAPL' }) symbol!: string;
  @ApiProperty({ example: '2022-08-17T10:09:34.055031265Z', description: "Alpaca's timestamp, nanoseconds kept." })
  timestamp!: string;
  @ApiProperty({ example: 172.6, description: '0 means no active bid (Alpaca convention).' }) bid_price!: number;
  @ApiProperty({ example: 2 }) bid_size!: number;
  @ApiProperty({ example: 'Q' }) bid_exchange!: string;
  @ApiProperty({ example: 172.7, description: '0 means no active ask.' }) ask_price!: number;
  @ApiProperty({ example: 1 }) ask_size!: number;
  @ApiProperty({ example: 'Q' }) ask_exchange!: string;
  @ApiProperty({ type: [String], example: ['R'] }) conditions!: string[];
  @ApiProperty({ type: String, nullable: true, example: 'C' }) tape!: string | null;
}

export class StockTradeDto implements StockTrade {
  @ApiProperty({ example: 'IBM' }) symbol!: string;
  @ApiProperty({ example: '2021-10-11T23:42:47.895547Z' }) timestamp!: string;
  @ApiProperty({ example: 142.2 }) price!: number;
  @ApiProperty({ example: 197 }) size!: number;
  @ApiProperty({ example: 'K' }) exchange!: string;
  @ApiProperty({ type: [String], example: [' ', 'F', 'T'] }) conditions!: string[];
  @ApiProperty({ type: String, nullable: true, example: 'A' }) tape!: string | null;
  @ApiProperty({ example: '52983525503560', description: 'uint64 trade id as a decimal string (no precision loss).' })
  trade_id!: string;
  @ApiProperty({ type: String, nullable: true, enum: ['canceled', 'incorrect', 'corrected'] }) update!: string | null;
}

export class BarDto implements Bar {
  @ApiProperty({ example: '2023-09-29T04:00:00Z', description: 'Start of the interval.' }) timestamp!: string;
  @ApiProperty({ example: 172.02 }) open!: number;
  @ApiProperty({ example: 173.07 }) high!: number;
  @ApiProperty({ example: 170.341 }) low!: number;
  @ApiProperty({ example: 171.21 }) close!: number;
  @ApiProperty({ example: 51861083 }) volume!: number;
  @ApiProperty({ type: Number, nullable: true, example: 535134 }) trade_count!: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 171.599691 }) vwap!: number | null;
}

export class NestedQuoteDto implements StockQuote {
  @ApiProperty() timestamp!: string;
  @ApiProperty() bid_price!: number;
  @ApiProperty() bid_size!: number;
  @ApiProperty() bid_exchange!: string;
  @ApiProperty() ask_price!: number;
  @ApiProperty() ask_size!: number;
  @ApiProperty() ask_exchange!: string;
  @ApiProperty({ type: [String] }) conditions!: string[];
  @ApiProperty({ type: String, nullable: true }) tape!: string | null;
}

export class NestedTradeDto implements StockTrade {
  @ApiProperty() timestamp!: string;
  @ApiProperty() price!: number;
  @ApiProperty() size!: number;
  @ApiProperty() exchange!: string;
  @ApiProperty({ type: [String] }) conditions!: string[];
  @ApiProperty({ type: String, nullable: true }) tape!: string | null;
  @ApiProperty() trade_id!: string;
  @ApiProperty({ type: String, nullable: true }) update!: string | null;
}

class SnapshotAvailabilityDto {
  @ApiProperty() latest_trade!: boolean;
  @ApiProperty() latest_quote!: boolean;
  @ApiProperty() minute_bar!: boolean;
  @ApiProperty() daily_bar!: boolean;
  @ApiProperty() prev_daily_bar!: boolean;
}

export class StockSnapshotDto implements StockSnapshot {
  @ApiProperty({ example: 'AAPL' }) symbol!: string;
  @ApiProperty({ type: NestedTradeDto, nullable: true }) latest_trade!: NestedTradeDto | null;
  @ApiProperty({ type: NestedQuoteDto, nullable: true }) latest_quote!: NestedQuoteDto | null;
  @ApiProperty({ type: BarDto, nullable: true }) minute_bar!: BarDto | null;
  @ApiProperty({ type: BarDto, nullable: true }) daily_bar!: BarDto | null;
  @ApiProperty({ type: BarDto, nullable: true }) prev_daily_bar!: BarDto | null;
  @ApiProperty({
    type: SnapshotAvailabilityDto,
    description: 'false where Alpaca sent no such member (the member is then null).',
  })
  availability!: SnapshotAvailabilityDto;
}

class PageInfoDto {
  @ApiProperty() has_more!: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'Send as page_token to get the next page.' })
  next_page_token!: string | null;
  @ApiProperty({ description: 'Bars on this page.' }) count!: number;
}

export class BarsResultDto {
  @ApiProperty({ example: 'AAPL' }) symbol!: string;
  @ApiProperty({ example: '1Day' }) timeframe!: string;
  @ApiProperty({ type: [BarDto] }) bars!: BarDto[];
  @ApiProperty({ type: PageInfoDto }) page_info!: PageInfoDto;
}

class BatchErrorDto {
  @ApiProperty({ example: 'SYMBOL_NOT_FOUND' }) code!: string;
  @ApiProperty() message!: string;
  @ApiProperty({ example: 'data_unavailable' }) type!: string;
}

class BatchItemDto {
  @ApiProperty({ example: 'AAPL' }) symbol!: string;
  @ApiProperty({ enum: ['success', 'error'] }) status!: string;
  @ApiProperty({ type: StockQuoteDto, nullable: true }) data!: StockQuoteDto | null;
  @ApiProperty({ type: BatchErrorDto, nullable: true }) error!: BatchErrorDto | null;
}

class BatchSummaryDto {
  @ApiProperty() total_requested!: number;
  @ApiProperty() successful!: number;
  @ApiProperty() failed!: number;
  @ApiProperty({ description: 'Repeated symbols collapsed into one.' }) duplicates_removed!: number;
}

export class BatchQuotesResultDto {
  @ApiProperty({ type: [BatchItemDto] }) quotes!: BatchItemDto[];
  @ApiProperty({ type: BatchSummaryDto }) summary!: BatchSummaryDto;
}

export class MarketClockDto implements MarketClock {
  @ApiProperty({ example: '2025-06-24T14:15:22-04:00' }) timestamp!: string;
  @ApiProperty() is_open!: boolean;
  @ApiProperty({ example: '2025-06-25T09:30:00-04:00' }) next_open!: string;
  @ApiProperty({ example: '2025-06-24T16:00:00-04:00' }) next_close!: string;
}
