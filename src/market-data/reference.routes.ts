import type { FreshnessQueryDto } from '../core/cache/freshness-query.dto.js';
import { assertOrderedRange } from '../core/validation/time-range.js';
import { MARKET_OPERATIONS as OP } from '../alpaca/reference/market-operations.js';
import type {
  AssetParamDto,
  AssetsQueryDto,
  CalendarQueryDto,
  CorporateActionsQueryDto,
  MostActivesQueryDto,
  MoversQueryDto,
  NewsQueryDto,
} from './dto/reference-query.dto.js';
import {
  AssetDto,
  AssetsDto,
  CalendarDto,
  CorporateActionsPageDto,
  MostActivesDto,
  MoversDto,
  NewsPageDto,
} from './dto/pass-through-responses.dto.js';
import { pageInfo } from './pass-through/answers.js';
import { passThrough } from './pass-through/pass-through-route.js';

const PAGING =
  'One Alpaca page per call: follow page_info.next_page_token (send it as page_token) until it is null. A search that matches nothing is a 200 with an empty page.';

/** News, corporate actions, screeners, assets and the trading calendar: each one Alpaca operation passed through. */
export const REFERENCE_ROUTES = {
  news: passThrough({
    name: 'news',
    operation: OP.news,
    call: (q: NewsQueryDto) => {
      assertOrderedRange(q.start, q.end);
      return {
        query: {
          symbols: q.symbols,
          start: q.start,
          end: q.end,
          sort: q.sort,
          limit: q.limit,
          include_content: q.include_content,
          exclude_contentless: q.exclude_contentless,
          page_token: q.page_token,
        },
      };
    },
    cache: 'news',
    answer: (page) => ({ news: page.items, page_info: pageInfo(page.next_page_token, page.items.length) }),
    docs: {
      path: 'news',
      permission: 'market:read',
      summary: 'News articles (Benzinga, through Alpaca), newest first unless sort=asc.',
      description: PAGING,
      model: NewsPageDto,
      errors: ['INVALID_SYMBOL_FORMAT', 'INVALID_DATE_RANGE'],
    },
  }),
  corporateActions: passThrough({
    name: 'corporate_actions',
    operation: OP.corporateActions,
    call: (q: CorporateActionsQueryDto) => {
      assertOrderedRange(q.start, q.end);
      return {
        query: {
          symbols: q.symbols,
          types: q.types,
          start: q.start,
          end: q.end,
          limit: q.limit,
          sort: q.sort,
          page_token: q.page_token,
        },
      };
    },
    cache: 'history',
    answer: (page) => ({
      corporate_actions: page.corporate_actions,
      page_info: pageInfo(
        page.next_page_token,
        Object.values(page.corporate_actions).reduce((n, list) => n + (list?.length ?? 0), 0),
      ),
    }),
    docs: {
      path: 'corporate-actions',
      permission: 'history:read',
      summary: 'Corporate actions (splits, dividends, mergers, name changes, …) by process date.',
      description: PAGING,
      model: CorporateActionsPageDto,
      errors: ['INVALID_SYMBOL_FORMAT', 'INVALID_DATE_RANGE'],
    },
  }),
  mostActives: passThrough({
    name: 'screener:most_actives',
    operation: OP.mostActives,
    call: (q: MostActivesQueryDto) => ({ query: { by: q.by, top: q.top } }),
    cache: 'screener',
    answer: (actives) => actives,
    docs: {
      path: 'screener/most-actives',
      permission: 'market:read',
      summary: 'The most active stocks of the day by volume or by trade count, as Alpaca ranks them.',
      model: MostActivesDto,
      errors: [],
    },
  }),
  movers: passThrough({
    name: 'screener:movers',
    operation: OP.movers,
    call: (q: MoversQueryDto) => ({ path: { market_type: 'stocks' }, query: { top: q.top } }),
    cache: 'screener',
    answer: (movers) => movers,
    docs: {
      path: 'screener/movers',
      permission: 'market:read',
      summary: "The day's top stock gainers and losers, as Alpaca ranks them.",
      model: MoversDto,
      errors: [],
    },
  }),
  assets: passThrough({
    name: 'assets',
    operation: OP.assets,
    call: (q: AssetsQueryDto) => ({
      query: { status: q.status, asset_class: q.asset_class, exchange: q.exchange, attributes: q.attributes },
    }),
    cache: 'reference',
    answer: (assets) => ({ assets, count: assets.length }),
    docs: {
      path: 'assets',
      permission: 'market:read',
      summary: "Alpaca's assets (trading host), filtered as asked; an empty list is a 200.",
      model: AssetsDto,
      errors: [],
    },
  }),
  asset: passThrough({
    name: 'asset',
    operation: OP.asset,
    call: (q: AssetParamDto & FreshnessQueryDto) => ({ path: { symbol_or_asset_id: q.symbol_or_asset_id } }),
    cache: 'reference',
    answer: (asset) => asset,
    docs: {
      path: 'assets/:symbol_or_asset_id',
      permission: 'market:read',
      summary: 'One asset by ticker or asset id; unknown to Alpaca is 404 SYMBOL_NOT_FOUND.',
      model: AssetDto,
      errors: ['INVALID_SYMBOL_FORMAT', 'SYMBOL_NOT_FOUND'],
    },
  }),
  calendar: passThrough({
    name: 'calendar',
    operation: OP.calendar,
    call: (q: CalendarQueryDto) => {
      assertOrderedRange(q.start, q.end);
      return { query: { start: q.start, end: q.end, date_type: q.date_type } };
    },
    cache: 'reference',
    answer: (days) => ({ days }),
    docs: {
      path: 'market/calendar',
      permission: 'market:read',
      summary: "Alpaca's trading calendar: each market day's open and close (New York time) and settlement date.",
      model: CalendarDto,
      errors: ['INVALID_DATE_RANGE'],
    },
  }),
};
