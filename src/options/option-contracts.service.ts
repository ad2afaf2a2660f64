import { Injectable } from '@nestjs/common';
import { Attributed } from '../core/attribution/provenance.js';
import { cacheKeys, MarketCache } from '../core/cache/market-cache.js';
import { OptionsDataPort } from '../alpaca/options/options-data.port.js';
import { MarketClockService } from '../market-data/market-clock.service.js';
import type { ContractsQueryDto } from './dto/contracts-query.dto.js';
import { assertOrderedDates, assertOrderedStrikes } from '../core/validation/filter-ranges.js';
import type { OptionContractsResult } from './options-results.models.js';

/**
 * One page of Alpaca's option contracts, filters passed as given. An empty page is a valid
 * answer here (a search that matched nothing), not an error.
 */
@Injectable()
export class OptionContractsService {
  constructor(
    private readonly gateway: OptionsDataPort,
    private readonly clock: MarketClockService,
    private readonly cache: MarketCache,
  ) {}

  async contracts(q: ContractsQueryDto): Promise<Attributed<OptionContractsResult>> {
    assertOrderedDates('expiration_date_gte', q.expiration_date_gte, 'expiration_date_lte', q.expiration_date_lte);
    assertOrderedStrikes('strike_price_gte', q.strike_price_gte, 'strike_price_lte', q.strike_price_lte);
    const query = {
      underlyingSymbols: q.underlying_symbols,
      status: q.status,
      expirationDate: q.expiration_date,
      expirationDateGte: q.expiration_date_gte,
      expirationDateLte: q.expiration_date_lte,
      rootSymbol: q.root_symbol,
      type: q.type,
      style: q.style,
      strikePriceGte: q.strike_price_gte,
      strikePriceLte: q.strike_price_lte,
      limit: q.limit,
      pageToken: q.page_token,
    };
    const marketStatus = await this.clock.status();
    const key = cacheKeys.query('option:contracts', query);
    const lookup = { key, ttl: this.cache.ttlSeconds('chain', marketStatus), maxAgeSeconds: q.max_age_seconds };
    const { sourced: page, cache } = await this.cache.through(lookup, () => this.gateway.contracts(query));
    const { contracts, next_page_token } = page.value;
    return new Attributed(
      { contracts, page_info: { has_more: next_page_token !== null, next_page_token, count: contracts.length } },
      page.provenance,
      cache,
      marketStatus,
    );
  }
}
