import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches } from 'class-validator';
import { toTrimmedUpperAscii } from '../../core/validation/query-transforms.js';
import { OptionalInt, OptionalBool, OptionalIn, OptionalUpstreamTime } from '../../core/validation/query-decorators.js';

/** TR-SPEC `ActivityType`. */
export const ACTIVITY_TYPES = [
  'FILL',
  'TRANS',
  'MISC',
  'ACATC',
  'ACATS',
  'CFEE',
  'CGD',
  'CSD',
  'CSW',
  'DIV',
  'DIVCGL',
  'DIVCGS',
  'DIVFEE',
  'DIVFT',
  'DIVNRA',
  'DIVROC',
  'DIVTW',
  'DIVTXEX',
  'FEE',
  'INT',
  'INTNRA',
  'INTTW',
  'JNL',
  'JNLC',
  'JNLS',
  'MA',
  'NC',
  'OPASN',
  'OPCA',
  'OPCSH',
  'OPEXC',
  'OPEXP',
  'OPTRD',
  'PTC',
  'PTR',
  'REORG',
  'SPIN',
  'SPLIT',
  'FOPT',
] as const;
const TYPE_LIST = new RegExp(`^(?:${ACTIVITY_TYPES.join('|')})(?:,(?:${ACTIVITY_TYPES.join('|')}))*$`);
export const MAX_ACTIVITIES_PAGE = 100;

export class ActivitiesQueryDto {
  @ApiPropertyOptional({
    example: 'FILL,DIV',
    description: `Comma-separated activity types (${ACTIVITY_TYPES.join(', ')}). Not with category.`,
  })
  @IsOptional()
  @Transform(toTrimmedUpperAscii)
  @Matches(TYPE_LIST, {
    message: 'activity_types must be a comma-separated list of Alpaca activity types such as FILL,DIV',
  })
  activity_types?: string;

  @OptionalIn(['trade_activity', 'non_trade_activity'], { description: 'Not with activity_types.' })
  category?: 'trade_activity' | 'non_trade_activity';

  @OptionalUpstreamTime({ description: 'Activities created on this day (YYYY-MM-DD or RFC-3339).' })
  date?: string;

  @OptionalUpstreamTime({ description: 'Created after this time (YYYY-MM-DD or RFC-3339).' })
  after?: string;

  @OptionalUpstreamTime({ description: 'Created before this time (YYYY-MM-DD or RFC-3339).' })
  until?: string;

  @OptionalIn(['asc', 'desc'], { description: 'Alpaca default desc.' })
  direction?: 'asc' | 'desc';

  @OptionalInt(1, MAX_ACTIVITIES_PAGE, { description: 'Alpaca default 100.' })
  page_size?: number;

  @ApiPropertyOptional({ description: 'page_info.next_page_token of the previous page (the id of its last activity).' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9:._-]{1,128}$/, {
    message: 'page_token must be an activity id such as 20220202135509981::2d7be4ff-d1f3-43e9-856a-0f5cf5c5088e',
  })
  page_token?: string;
}

const TIMEFRAMES = ['1Min', '5Min', '15Min', '1H', '1D'] as const;

export class PortfolioHistoryQueryDto {
  @ApiPropertyOptional({
    example: '1M',
    description: 'number + unit (D, W, M, A). Alpaca default 1M. At most two of period, start, end.',
  })
  @IsOptional()
  @Matches(/^[1-9]\d{0,3}[DWMA]$/, { message: 'period must be a number and a unit D, W, M or A, such as 1M' })
  period?: string;

  @OptionalIn(TIMEFRAMES, { description: 'Alpaca picks one from the period when absent.' })
  timeframe?: (typeof TIMEFRAMES)[number];

  @OptionalIn(['market_hours', 'extended_hours', 'continuous'], {
    description: 'Intraday timeframes only; Alpaca default market_hours.',
  })
  intraday_reporting?: 'market_hours' | 'extended_hours' | 'continuous';

  @OptionalUpstreamTime({ description: 'RFC-3339 with a time zone.' })
  start?: string;

  @OptionalUpstreamTime({ description: 'RFC-3339 with a time zone.' })
  end?: string;

  @OptionalIn(['per_day', 'no_reset'], { description: 'Intraday P/L baseline; Alpaca default per_day.' })
  pnl_reset?: 'per_day' | 'no_reset';

  @OptionalBool({ description: 'Deprecated by Alpaca in favour of intraday_reporting.' })
  extended_hours?: boolean;

  @ApiPropertyOptional({ example: 'CSD,DIV', description: 'ALL, NONE or comma-separated activity types.' })
  @IsOptional()
  @Transform(toTrimmedUpperAscii)
  @Matches(new RegExp(`^(?:ALL|NONE|${TYPE_LIST.source.slice(1, -1)})$`), {
    message: 'cashflow_types must be ALL, NONE or a comma-separated list of activity types',
  })
  cashflow_types?: string;
}
