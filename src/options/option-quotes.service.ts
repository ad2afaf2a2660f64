import { Injectable } from '@nestjs/common';
import { Attributed, type MarketStatus, type Provenance } from '../core/attribution/provenance.js';
import { newestTimestamp } from '../core/attribution/timestamps.js';
import { dedupedBatchItems } from '../core/attribution/batch-result.js';
import { cacheKeys, MarketCache, type CacheResult } from '../core/cache/market-cache.js';
import { settleBatch } from '../core/cache/merge.js';
import { MicroBatcher } from '../core/cache/micro-batcher.js';
import { AppConfig } from '../core/config/app-config.js';
import { batchQuality, optionSnapshotFlags, type QualityFlag } from '../core/quality/data-quality.js';
import { DataQualityService } from '../core/quality/data-quality.service.js';
import { AppError } from '../core/errors/app-error.js';
import { isEmptyOptionSnapshot } from '../alpaca/options/option.mapper.js';
import { OptionsDataPort } from '../alpaca/options/options-data.port.js';
import type { OptionSnapshot } from '../alpaca/options/options.models.js';
import { MarketClockService } from '../market-data/market-clock.service.js';
import { requireOccSymbol, requireOccSymbols, termsOf, withTerms, type OccContract } from './occ-symbol.js';
import type { OptionBatchResult, OptionQuoteResult } from './options-results.models.js';

/** A usable snapshot: present, and not an empty object (Alpaca sends `{}` for some adjusted contracts). */
function usable(snapshot: OptionSnapshot | undefined): snapshot is OptionSnapshot {
  return snapshot !== undefined && !isEmptyOptionSnapshot(snapshot);
}

/** Alpaca had no usable snapshot; carries the provenance of the call that said so. */
class ContractMissing extends AppError {
  constructor(
    contract: OccContract,
    feed: string,
    snapshot: OptionSnapshot | undefined,
    readonly provenance: Provenance,
  ) {
    super('OPTION_DATA_UNAVAILABLE', {
      message: `Alpaca returned no data for ${contract.symbol} on the ${feed} options feed.`,
      details: {
        ...termsOf(contract),
        feed,
        alpaca_returned: snapshot === undefined ? 'no_snapshot' : 'empty_snapshot',
      },
    });
  }
}

const CONTRACTS_PER_CALL = 100;

function snapshotTimestamps(s: OptionSnapshot): string[] {
  return [s.latest_quote?.timestamp, s.latest_trade?.timestamp].filter((t): t is string => typeof t === 'string');
}

/**
 * Latest quote, trade, greeks and IV for one contract, and for many. Cache first; misses for
 * different contracts that arrive together merge into one snapshots call per 100 (MicroBatcher).
 */
/** Snapshots of several contracts: the ones Alpaca had (in the order asked), and the rest. */
export interface LatestContracts {
  found: Map<string, OptionSnapshot>;
  missing: string[];
}

/** What a client asked of one value: how old it may be. */
interface Asked {
  maxAgeSeconds: number | undefined;
}

@Injectable()
export class OptionQuotesService {
  private readonly batcher: MicroBatcher<OptionSnapshot>;

  constructor(
    private readonly gateway: OptionsDataPort,
    private readonly clock: MarketClockService,
    private readonly config: AppConfig,
    private readonly cache: MarketCache,
    private readonly quality: DataQualityService,
  ) {
    this.batcher = new MicroBatcher(
      (symbols) => this.gateway.snapshots(symbols),
      config.resilience.batchWindowMs,
      CONTRACTS_PER_CALL,
    );
  }

  async quote(rawSymbol: string, maxAgeSeconds?: number): Promise<Attributed<OptionQuoteResult>> {
    const contract = requireOccSymbol(rawSymbol);
    const market = this.clock.status();
    const r = await this.load(contract, market, { maxAgeSeconds });
    return new Attributed(withTerms(contract, r.sourced.value), r.sourced.provenance, r.cache, await market);
  }

  async batch(rawSymbols: string[], maxAgeSeconds?: number): Promise<Attributed<OptionBatchResult>> {
    const max = this.config.optionsBatchMaxContracts;
    if (rawSymbols.length > max) {
      throw new AppError('REQUEST_SIZE_EXCEEDED', {
        message: `At most ${max} option symbols per batch; ${rawSymbols.length} were sent.`,
        details: { max, requested: rawSymbols.length },
      });
    }
    const contracts = requireOccSymbols(rawSymbols);
    const many = await this.latestMany(contracts, maxAgeSeconds);
    const { found } = many.data;
    const { items, summary } = dedupedBatchItems(
      contracts.map((contract) => contract.symbol),
      rawSymbols.length,
      'OPTION_DATA_UNAVAILABLE',
      (symbol, i) => {
        const snapshot = found.get(symbol);
        return snapshot === undefined ? undefined : withTerms(contracts[i], snapshot);
      },
    );
    return new Attributed({ quotes: items, summary }, many.provenance, many.cache, many.marketStatus);
  }

  /**
   * Snapshots of several (distinct) contracts, each through its own cache entry (one contract asked
   * alone and in a list is one entry); the misses of the moment merge into one snapshots call per
   * 100. A contract Alpaca had no usable snapshot for is left out of `found`.
   */
  async latestMany(contracts: OccContract[], maxAgeSeconds?: number): Promise<Attributed<LatestContracts>> {
    const marketP = this.clock.status();
    const batch = await settleBatch(
      contracts,
      (contract) => this.load(contract, marketP, { maxAgeSeconds }),
      (e): e is ContractMissing => e instanceof ContractMissing,
    );
    const found = new Map<string, OptionSnapshot>();
    const missing: string[] = [];
    const perContract: Record<string, QualityFlag[]> = {};
    for (const { key, result } of batch.results) {
      if (result === null) {
        missing.push(key.symbol);
        continue;
      }
      found.set(key.symbol, result.sourced.value);
      perContract[key.symbol] = result.sourced.provenance.quality?.flags ?? [];
    }
    return new Attributed(
      { found, missing },
      { ...batch.provenance, quality: batchQuality(perContract) },
      batch.cache,
      await marketP,
    );
  }

  private load(
    contract: OccContract,
    market: Promise<MarketStatus>,
    asked: Asked,
  ): Promise<CacheResult<OptionSnapshot>> {
    const feed = this.config.alpaca.optionsFeed;
    const ttl = market.then((m) => this.cache.ttlSeconds('option_quote', m));
    return this.cache.through({ key: cacheKeys.option(feed, contract.symbol), ttl, ...asked }, async () => {
      const { item, provenance } = await this.batcher.load(contract.symbol);
      if (!usable(item)) throw new ContractMissing(contract, feed, item, { ...provenance, dataTimestamp: null });
      const at = this.quality.moment((await market) === 'open');
      const quality = this.quality.of(optionSnapshotFlags(this.quality.checks, item, at));
      return {
        value: item,
        provenance: { ...provenance, dataTimestamp: newestTimestamp(snapshotTimestamps(item)), quality },
      };
    });
  }
}
