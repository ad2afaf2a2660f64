import { Injectable } from '@nestjs/common';
import { Attributed, type CacheState } from '../core/attribution/provenance.js';
import { AppConfig } from '../core/config/app-config.js';
import { AppError } from '../core/errors/app-error.js';
import { catalogEntry } from '../core/errors/error-catalog.js';
import { isEmptyOptionSnapshot } from '../alpaca/option.mapper.js';
import { OptionsDataGateway } from '../alpaca/options-data.gateway.js';
import type { OptionSnapshot } from '../alpaca/options.models.js';
import { MarketClockService } from '../market-data/market-clock.service.js';
import { requireOccSymbol, requireOccSymbols, termsOf } from './occ-symbol.js';
import type { OptionBatchItem, OptionBatchResult, OptionQuoteResult } from './options-results.models.js';

/**
 * Largest `POST /options/quotes/batch`: Alpaca's limit per snapshots call, so a full batch is
 * one upstream call. A constant until config grows an OPTIONS_BATCH_MAX_CONTRACTS setting.
 */
export const OPTIONS_BATCH_MAX_CONTRACTS = 100;

/** Nothing is cached yet: every answer comes straight from Alpaca. */
const NOT_CACHED: CacheState = { status: 'BYPASS', ageSeconds: 0, maxAgeSeconds: null };

/** A usable snapshot: present, and not an empty object (Alpaca sends `{}` for some adjusted contracts). */
function usable(snapshot: OptionSnapshot | undefined): snapshot is OptionSnapshot {
  return snapshot !== undefined && !isEmptyOptionSnapshot(snapshot);
}

/** Latest quote, trade, greeks and IV for one contract, and for many in one upstream call per 100. */
@Injectable()
export class OptionQuotesService {
  constructor(
    private readonly gateway: OptionsDataGateway,
    private readonly clock: MarketClockService,
    private readonly config: AppConfig,
  ) {}

  async quote(rawSymbol: string): Promise<Attributed<OptionQuoteResult>> {
    const contract = requireOccSymbol(rawSymbol);
    const [result, marketStatus] = await Promise.all([this.gateway.snapshots([contract.symbol]), this.clock.status()]);
    const snapshot = result.value.get(contract.symbol);
    if (!usable(snapshot)) {
      const feed = this.config.alpaca.optionsFeed;
      throw new AppError('OPTION_DATA_UNAVAILABLE', {
        message: `Alpaca returned no data for ${contract.symbol} on the ${feed} options feed.`,
        details: { ...termsOf(contract), feed, alpaca_returned: snapshot === undefined ? 'no_snapshot' : 'empty_snapshot' },
      });
    }
    return new Attributed({ ...termsOf(contract), ...snapshot }, result.provenance, NOT_CACHED, marketStatus);
  }

  async batch(rawSymbols: string[]): Promise<Attributed<OptionBatchResult>> {
    const max = OPTIONS_BATCH_MAX_CONTRACTS;
    if (rawSymbols.length > max) {
      throw new AppError('REQUEST_SIZE_EXCEEDED', {
        message: `At most ${max} option symbols per batch; ${rawSymbols.length} were sent.`,
        details: { max, requested: rawSymbols.length },
      });
    }
    const contracts = requireOccSymbols(rawSymbols);
    const [snapshots, marketStatus] = await Promise.all([this.gateway.snapshots(contracts.map((c) => c.symbol)), this.clock.status()]);
    const unavailable = catalogEntry('OPTION_DATA_UNAVAILABLE');
    const items: OptionBatchItem[] = contracts.map((contract) => {
      const snapshot = snapshots.value.get(contract.symbol);
      return usable(snapshot)
        ? { symbol: contract.symbol, status: 'success', data: { ...termsOf(contract), ...snapshot }, error: null }
        : {
            symbol: contract.symbol,
            status: 'error',
            data: null,
            error: { code: 'OPTION_DATA_UNAVAILABLE', message: unavailable.message, type: unavailable.type },
          };
    });
    const successful = items.filter((i) => i.status === 'success').length;
    return new Attributed(
      {
        quotes: items,
        summary: {
          total_requested: contracts.length,
          successful,
          failed: contracts.length - successful,
          duplicates_removed: rawSymbols.length - contracts.length,
        },
      },
      snapshots.provenance,
      NOT_CACHED,
      marketStatus,
    );
  }
}
