import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type {
  Asset,
  CalendarDay,
  DailyAuctions,
  MostActive,
  Mover,
  NewsArticle,
  NewsImage,
  StockAuction,
} from '../../alpaca/reference/market-reference.models.js';
import { BarDto, NestedQuoteDto, NestedTradeDto, StockSnapshotDto, StockTradeDto } from './stock-responses.dto.js';

/* Swagger models of the pass-through routes. Each implements the model it documents where one
   exists, so the compiler keeps the docs and the data in step. */

export class PageInfoDto {
  @ApiProperty() has_more!: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    description: "Alpaca's next_page_token: send it as page_token for the next page.",
  })
  next_page_token!: string | null;
  @ApiProperty({ description: 'Items on this page.' }) count!: number;
}

export class StockQuotesPageDto {
  @ApiProperty({ example: 'AAPL' }) symbol!: string;
  @ApiProperty({ type: [NestedQuoteDto], description: 'Quotes of this page, in the sort order asked for.' })
  quotes!: NestedQuoteDto[];
  @ApiProperty({ type: PageInfoDto }) page_info!: PageInfoDto;
}

export class StockTradesPageDto {
  @ApiProperty({ example: 'AAPL' }) symbol!: string;
  @ApiProperty({ type: [NestedTradeDto], description: 'Trades of this page, in the sort order asked for.' })
  trades!: NestedTradeDto[];
  @ApiProperty({ type: PageInfoDto }) page_info!: PageInfoDto;
}

class StockAuctionDto implements StockAuction {
  @ApiProperty({ example: '2022-10-13T13:30:01.688322951Z' }) timestamp!: string;
  @ApiProperty({ example: 'Q' }) exchange!: string;
  @ApiProperty({ example: 135 }) price!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'null when Alpaca sent no size.' }) size!: number | null;
  @ApiProperty({ example: 'O', description: 'Auction condition (see /stocks/meta/conditions/trade).' })
  condition!: string;
}

class DailyAuctionsDto implements DailyAuctions {
  @ApiProperty({ example: '2022-10-13' }) date!: string;
  @ApiProperty({ type: [StockAuctionDto] }) opens!: StockAuctionDto[];
  @ApiProperty({ type: [StockAuctionDto] }) closes!: StockAuctionDto[];
}

export class StockAuctionsPageDto {
  @ApiProperty({ example: 'AAPL' }) symbol!: string;
  @ApiProperty({ type: [DailyAuctionsDto] }) auctions!: DailyAuctionsDto[];
  @ApiProperty({ type: PageInfoDto }) page_info!: PageInfoDto;
}

export class LatestBarDto extends BarDto {
  @ApiProperty({ example: 'AAPL' }) symbol!: string;
}

class BatchErrorDto {
  @ApiProperty({ example: 'SYMBOL_NOT_FOUND' }) code!: string;
  @ApiProperty() message!: string;
  @ApiProperty({ example: 'data_unavailable' }) type!: string;
}

export class BatchSummaryDto {
  @ApiProperty() total_requested!: number;
  @ApiProperty() successful!: number;
  @ApiProperty() failed!: number;
}

class TradeItemDto {
  @ApiProperty({ example: 'AAPL' }) symbol!: string;
  @ApiProperty({ enum: ['success', 'error'] }) status!: string;
  @ApiProperty({ type: StockTradeDto, nullable: true }) data!: StockTradeDto | null;
  @ApiProperty({ type: BatchErrorDto, nullable: true }) error!: BatchErrorDto | null;
}

export class LatestTradesDto {
  @ApiProperty({ type: [TradeItemDto] }) trades!: TradeItemDto[];
  @ApiProperty({ type: BatchSummaryDto }) summary!: BatchSummaryDto;
}

class BarItemDto {
  @ApiProperty({ example: 'AAPL' }) symbol!: string;
  @ApiProperty({ enum: ['success', 'error'] }) status!: string;
  @ApiProperty({ type: LatestBarDto, nullable: true }) data!: LatestBarDto | null;
  @ApiProperty({ type: BatchErrorDto, nullable: true }) error!: BatchErrorDto | null;
}

export class LatestBarsDto {
  @ApiProperty({ type: [BarItemDto] }) bars!: BarItemDto[];
  @ApiProperty({ type: BatchSummaryDto }) summary!: BatchSummaryDto;
}

class SnapshotItemDto {
  @ApiProperty({ example: 'AAPL' }) symbol!: string;
  @ApiProperty({ enum: ['success', 'error'] }) status!: string;
  @ApiProperty({ type: StockSnapshotDto, nullable: true }) data!: StockSnapshotDto | null;
  @ApiProperty({ type: BatchErrorDto, nullable: true }) error!: BatchErrorDto | null;
}

export class SnapshotsDto {
  @ApiProperty({ type: [SnapshotItemDto] }) snapshots!: SnapshotItemDto[];
  @ApiProperty({ type: BatchSummaryDto }) summary!: BatchSummaryDto;
}

export class ConditionCodesDto {
  @ApiProperty({ enum: ['trade', 'quote'] }) ticktype!: string;
  @ApiPropertyOptional({ enum: ['A', 'B', 'C'], nullable: true, description: 'Stocks only; null for options.' }) tape!:
    string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { '@': 'Regular Sale', I: 'Odd Lot Trade' },
  })
  conditions!: Record<string, string>;
}

export class ExchangeCodesDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { V: 'IEX', N: 'New York Stock Exchange' },
  })
  exchanges!: Record<string, string>;
}

class NewsImageDto implements NewsImage {
  @ApiProperty({ enum: ['thumb', 'small', 'large'] }) size!: string;
  @ApiProperty() url!: string;
}

class NewsArticleDto implements NewsArticle {
  @ApiProperty({ example: 24843171 }) id!: number;
  @ApiProperty() headline!: string;
  @ApiProperty() author!: string;
  @ApiProperty({ example: '2021-12-31T11:08:42Z' }) created_at!: string;
  @ApiProperty() updated_at!: string;
  @ApiProperty() summary!: string;
  @ApiProperty({ description: 'HTML body when include_content=true; Alpaca sends empty text otherwise.' })
  content!: string;
  @ApiProperty({ type: String, nullable: true }) url!: string | null;
  @ApiProperty({ type: [NewsImageDto] }) images!: NewsImageDto[];
  @ApiProperty({ type: [String], example: ['AAPL'] }) symbols!: string[];
  @ApiProperty({ example: 'benzinga' }) source!: string;
}

export class NewsPageDto {
  @ApiProperty({ type: [NewsArticleDto] }) news!: NewsArticleDto[];
  @ApiProperty({ type: PageInfoDto }) page_info!: PageInfoDto;
}

export class CorporateActionsPageDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'array', nullable: true, items: { type: 'object' } },
    description:
      "Alpaca's lists by type (cash_dividends, forward_splits, name_changes, …), each record with every member its type declares " +
      '(null where Alpaca left one out); a type Alpaca sent no list for is null.',
  })
  corporate_actions!: Record<string, Array<Record<string, unknown>> | null>;
  @ApiProperty({ type: PageInfoDto, description: 'count: actions on this page, all types together.' })
  page_info!: PageInfoDto;
}

class MostActiveDto implements MostActive {
  @ApiProperty({ example: 'AAPL' }) symbol!: string;
  @ApiProperty({ example: 122709184 }) volume!: number;
  @ApiProperty({ example: 639626 }) trade_count!: number;
}

export class MostActivesDto {
  @ApiProperty({ type: [MostActiveDto] }) most_actives!: MostActiveDto[];
  @ApiProperty({ description: 'When Alpaca computed the list, as it wrote it.' }) last_updated!: string;
}

class MoverDto implements Mover {
  @ApiProperty({ example: 'AGRI' }) symbol!: string;
  @ApiProperty({ example: 145.56 }) percent_change!: number;
  @ApiProperty({ example: 2.46 }) change!: number;
  @ApiProperty({ example: 4.15 }) price!: number;
}

export class MoversDto {
  @ApiProperty({ type: [MoverDto] }) gainers!: MoverDto[];
  @ApiProperty({ type: [MoverDto] }) losers!: MoverDto[];
  @ApiProperty({ example: 'stocks' }) market_type!: string;
  @ApiProperty() last_updated!: string;
}

export class AssetDto implements Asset {
  @ApiProperty({ example: 'b0b6dd9d-8b9b-48a9-ba46-b9d54906e415' }) id!: string;
  @ApiProperty({ example: 'us_equity', description: "Alpaca's `class`." }) asset_class!: string;
  @ApiProperty({ example: 'NASDAQ' }) exchange!: string;
  @ApiProperty({ example: 'AAPL' }) symbol!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['active', 'inactive'] }) status!: string;
  @ApiProperty() tradable!: boolean;
  @ApiProperty() marginable!: boolean;
  @ApiProperty() shortable!: boolean;
  @ApiProperty({ description: 'Deprecated by Alpaca in favour of borrow_status.' }) easy_to_borrow!: boolean;
  @ApiProperty() fractionable!: boolean;
  @ApiProperty({ type: String, nullable: true }) cusip!: string | null;
  @ApiProperty({ type: [String], nullable: true }) attributes!: string[] | null;
  @ApiProperty({ type: String, nullable: true }) borrow_status!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Decimal string as Alpaca sent it.' })
  margin_requirement_long!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Decimal string as Alpaca sent it.' })
  margin_requirement_short!: string | null;
  @ApiProperty({ type: Number, nullable: true }) maintenance_margin_requirement!: number | null;
  @ApiProperty({ type: String, nullable: true }) min_order_size!: string | null;
  @ApiProperty({ type: String, nullable: true }) min_trade_increment!: string | null;
  @ApiProperty({ type: String, nullable: true }) price_increment!: string | null;
}

export class AssetsDto {
  @ApiProperty({ type: [AssetDto] }) assets!: AssetDto[];
  @ApiProperty() count!: number;
}

class CalendarDayDto implements CalendarDay {
  @ApiProperty({ example: '2025-01-02' }) date!: string;
  @ApiProperty({ example: '09:30' }) open!: string;
  @ApiProperty({ example: '16:00' }) close!: string;
  @ApiProperty({ example: '0400' }) session_open!: string;
  @ApiProperty({ example: '2000' }) session_close!: string;
  @ApiProperty({ type: String, nullable: true, example: '2025-01-03' }) settlement_date!: string | null;
}

export class CalendarDto {
  @ApiProperty({ type: [CalendarDayDto] }) days!: CalendarDayDto[];
}
