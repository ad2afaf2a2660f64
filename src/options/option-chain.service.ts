import { Injectable } from '@nestjs/common';
import { Attributed } from '../core/attribution/provenance.js';
import { cacheKeys, MarketCache } from '../core/cache/market-cache.js';
import { AppConfig } from '../core/config/app-config.js';
import { optionSnapshotFlags, type QualityFlag } from '../core/quality/data-quality.js';
import { DataQualityService } from '../core/quality/data-quality.service.js';
import { AppError } from '../core/errors/app-error.js';
import { OptionsDataPort } from '../alpaca/options/options-data.port.js';
import type { OptionChainPage, OptionChainQuery } from '../alpaca/options/options.models.js';
import { MarketClockService } from '../market-data/market-clock.service.js';
import type { ChainQueryDto } from './dto/chain-query.dto.js';
import { assertOrderedDates, assertOrderedStrikes } from '../core/validation/filter-ranges.js';
import { compareContracts, parseOccSymbol, withTerms, type OccContract } from './occ-symbol.js';
import type { ChainCompleteness, OptionChainResult, OptionQuoteResult } from './options-results.models.js';

function completenessOf(contracts: OptionQuoteResult[]): ChainCompleteness {
  const count = (flag: (c: OptionQuoteResult) => boolean): number => contracts.filter(flag).length;
  return {
    contracts: contracts.length,
    with_greeks: count((c) => c.greeks_available),
    with_implied_volatility: count((c) => c.iv_available),
    with_latest_quote: count((c) => c.latest_quote_available),
    with_latest_trade: count((c) => c.latest_trade_available),
  };
}

/**
 * One page of an underlying's option chain, filters passed to Alpaca exactly as the caller gave
 * them (nothing is filtered or capped here); the caller walks the pages with page_token.
 */
@Injectable()
export class OptionChainService {
  constructor(
    private readonly gateway: OptionsDataPort,
    private readonly clock: MarketClockService,
    private readonly config: AppConfig,
    private readonly cache: MarketCache,
    private readonly quality: DataQualityService,
  ) {}

  /**
   * One page of the chain as Alpaca sent it (contracts in Alpaca's order, an empty page included),
   * through the cache; both faces read the same entry.
   */
  async page(underlying: string, q: ChainQueryDto): Promise<Attributed<OptionChainPage>> {
    assertOrderedDates('expiration_date_gte', q.expiration_date_gte, 'expiration_date_lte', q.expiration_date_lte);
    assertOrderedStrikes('min_strike', q.min_strike, 'max_strike', q.max_strike);
    const query: OptionChainQuery = {
      underlying,
      type: q.option_type,
      strikePriceGte: q.min_strike,
      strikePriceLte: q.max_strike,
      expirationDate: q.expiration_date,
      expirationDateGte: q.expiration_date_gte,
      expirationDateLte: q.expiration_date_lte,
      limit: q.limit,
      pageToken: q.page_token,
    };
    const marketStatus = await this.clock.status();
    const key = cacheKeys.query('option:chain', { ...query, feed: this.config.alpaca.optionsFeed });
    const lookup = { key, ttl: this.cache.ttlSeconds('chain', marketStatus), maxAgeSeconds: q.max_age_seconds };
    const { sourced: page, cache } = await this.cache.through(lookup, async () => {
      const loaded = await this.gateway.chain(query);
      // Checked once per page fetched, per contract; cached with the page.
      const at = this.quality.moment(marketStatus === 'open');
      const perContract: Record<string, QualityFlag[]> = {};
      for (const { symbol, snapshot } of loaded.value.snapshots)
        perContract[symbol] = optionSnapshotFlags(this.quality.checks, snapshot, at);
      return { ...loaded, provenance: { ...loaded.provenance, quality: this.quality.ofEach(perContract) } };
    });
    return new Attributed(page.value, page.provenance, cache, marketStatus);
  }

  async chain(underlying: string, q: ChainQueryDto): Promise<Attributed<OptionChainResult>> {
    const page = await this.page(underlying, q);
    const { snapshots, next_page_token } = page.data;
    // A first page with nothing and nowhere to go: no chain for these filters. Later pages may
    // legitimately be empty.
    if (snapshots.length === 0 && next_page_token === null && q.page_token === undefined) {
      throw new AppError('OPTIONS_CHAIN_UNAVAILABLE', {
        message: `Alpaca returned no option contracts for ${underlying} with these filters on the ${this.config.alpaca.optionsFeed} feed.`,
        details: { underlying, filters: this.filtersOf(q), feed: this.config.alpaca.optionsFeed },
      });
    }
    const decoded = snapshots.map(({ symbol, snapshot }) => ({ contract: this.decode(symbol), snapshot }));
    decoded.sort((a, b) => compareContracts(a.contract, b.contract));
    const contracts: OptionQuoteResult[] = decoded.map(({ contract, snapshot }) => withTerms(contract, snapshot));
    return new Attributed(
      {
        underlying_symbol: underlying,
        contracts,
        completeness: completenessOf(contracts),
        page_info: { has_more: next_page_token !== null, next_page_token, count: contracts.length },
      },
      page.provenance,
      page.cache,
      page.marketStatus,
    );
  }

  /** Alpaca keys chain snapshots by OCC symbol; anything else is not a chain we can read. */
  private decode(symbol: string): OccContract {
    const result = parseOccSymbol(symbol);
    if (result.ok) return result.contract;
    throw new AppError('UPSTREAM_INVALID_RESPONSE', {
      message: 'Alpaca returned a chain entry that is not an OCC option symbol.',
      details: { upstream: 'data', reason: `snapshot key ${JSON.stringify(result.symbol)} is not an OCC symbol` },
    });
  }

  private filtersOf(q: ChainQueryDto): Record<string, string | number> {
    const filters: Record<string, string | number | undefined> = {
      expiration_date: q.expiration_date,
      expiration_date_gte: q.expiration_date_gte,
      expiration_date_lte: q.expiration_date_lte,
      option_type: q.option_type,
      min_strike: q.min_strike,
      max_strike: q.max_strike,
      limit: q.limit,
    };
    return Object.fromEntries(
      Object.entries(filters).filter((e): e is [string, string | number] => e[1] !== undefined),
    );
  }
}
