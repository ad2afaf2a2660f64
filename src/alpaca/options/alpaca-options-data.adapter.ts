import { Injectable } from '@nestjs/common';
import type { DataSource, Provenance } from '../../core/attribution/provenance.js';
import { AppConfig } from '../../core/config/app-config.js';
import { AlpacaDataClient, AlpacaTradingClient } from '../http/alpaca-clients.js';
import type { UpstreamResponse } from '../http/upstream-call.js';
import type { WireOptionSnapshotsPage } from './option-wire.types.js';
import type { Sourced, SymbolMap } from '../stocks/market-data.port.js';
import { optionSnapshotTimestamps, toOptionContract, toOptionSnapshot } from './option.mapper.js';
import { OptionsDataPort } from './options-data.port.js';
import type {
  OptionChainPage,
  OptionChainQuery,
  OptionContractsPage,
  OptionContractsQuery,
  OptionSnapshot,
} from './options.models.js';
import { parseOptionContractsPage, parseOptionSnapshotsPage } from './options-wire-parsers.js';
import { chunk, stampProvenance } from '../http/provenance-stamp.js';
import { UpstreamError } from '../http/upstream.error.js';

/** Alpaca's maximum of contracts per `symbols` list (docs/alpaca-wire.md "Options data"). */
export const OPTION_SYMBOLS_PER_CALL = 100;
/**
 * With at most 100 symbols and Alpaca's default page of 100 one page always suffices; should
 * Alpaca paginate anyway, the token is followed (never dropped), up to this many pages.
 */
const MAX_SNAPSHOT_PAGES_PER_CHUNK = 10;

const SNAPSHOTS = '/v1beta1/options/snapshots';
const CHAIN = '/v1beta1/options/snapshots/{underlying}';
const CONTRACTS = '/v2/options/contracts';

/** OptionsDataPort over Alpaca's REST API (options v1beta1 on the data host, contracts on the trading host). */
@Injectable()
export class AlpacaOptionsDataAdapter extends OptionsDataPort {
  constructor(
    private readonly data: AlpacaDataClient,
    private readonly trading: AlpacaTradingClient,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async snapshots(symbols: string[]): Promise<Sourced<SymbolMap<OptionSnapshot>>> {
    const chunks = await Promise.all(chunk(symbols, OPTION_SYMBOLS_PER_CALL).map((batch) => this.snapshotPages(batch)));
    const responses = chunks.flat();
    const value: SymbolMap<OptionSnapshot> = new Map();
    for (const res of responses) {
      for (const [symbol, wire] of Object.entries(res.body.snapshots)) value.set(symbol, toOptionSnapshot(wire));
    }
    const timestamps = [...value.values()].flatMap(optionSnapshotTimestamps);
    return { value, provenance: this.dataProvenance('alpaca_options_real_time', responses, timestamps) };
  }

  async chain(q: OptionChainQuery): Promise<Sourced<OptionChainPage>> {
    const res = await this.data.get(`${SNAPSHOTS}/${encodeURIComponent(q.underlying)}`, {
      endpoint: CHAIN,
      priority: 'bulk',
      query: {
        type: q.type,
        strike_price_gte: q.strikePriceGte,
        strike_price_lte: q.strikePriceLte,
        expiration_date: q.expirationDate,
        expiration_date_gte: q.expirationDateGte,
        expiration_date_lte: q.expirationDateLte,
        limit: q.limit,
        page_token: q.pageToken,
        feed: this.config.alpaca.optionsFeed,
      },
      parse: parseOptionSnapshotsPage,
    });
    const snapshots = Object.entries(res.body.snapshots).map(([symbol, wire]) => ({
      symbol,
      snapshot: toOptionSnapshot(wire),
    }));
    const timestamps = snapshots.flatMap((s) => optionSnapshotTimestamps(s.snapshot));
    return {
      value: { snapshots, next_page_token: res.body.next_page_token },
      provenance: this.dataProvenance('alpaca_options_chain', [res], timestamps),
    };
  }

  async contracts(q: OptionContractsQuery): Promise<Sourced<OptionContractsPage>> {
    const res = await this.trading.get(CONTRACTS, {
      endpoint: CONTRACTS,
      priority: 'bulk',
      query: {
        underlying_symbols: q.underlyingSymbols,
        status: q.status,
        expiration_date: q.expirationDate,
        expiration_date_gte: q.expirationDateGte,
        expiration_date_lte: q.expirationDateLte,
        root_symbol: q.rootSymbol,
        type: q.type,
        style: q.style,
        strike_price_gte: q.strikePriceGte,
        strike_price_lte: q.strikePriceLte,
        limit: q.limit,
        page_token: q.pageToken,
      },
      parse: parseOptionContractsPage,
    });
    const value: OptionContractsPage = {
      contracts: res.body.option_contracts.map(toOptionContract),
      next_page_token: res.body.next_page_token,
    };
    // Contracts carry dates, not upstream timestamps, and no feed applies to the trading host.
    const provenance = stampProvenance(this.config, {
      dataSource: 'alpaca_options_contracts',
      api: 'trading',
      responses: [res],
      timestamps: [],
      feed: null,
    });
    return { value, provenance };
  }

  /** One chunk of symbols; follows next_page_token so no contract is silently dropped. */
  private async snapshotPages(batch: string[]): Promise<Array<UpstreamResponse<WireOptionSnapshotsPage>>> {
    const pages: Array<UpstreamResponse<WireOptionSnapshotsPage>> = [];
    let pageToken: string | undefined;
    do {
      const res = await this.data.get(SNAPSHOTS, {
        endpoint: SNAPSHOTS,
        query: { symbols: batch.join(','), feed: this.config.alpaca.optionsFeed, page_token: pageToken },
        parse: parseOptionSnapshotsPage,
      });
      pages.push(res);
      pageToken = res.body.next_page_token ?? undefined;
      if (pageToken !== undefined && pages.length >= MAX_SNAPSHOT_PAGES_PER_CHUNK) {
        // Dropping the rest would silently lose contracts: fail loudly instead.
        throw new UpstreamError({
          code: 'UPSTREAM_INVALID_RESPONSE',
          api: 'data',
          endpoint: SNAPSHOTS,
          upstreamStatus: 200,
          upstreamRequestId: res.requestId,
          details: { reason: `still paginating after ${pages.length} pages for ${batch.length} contracts` },
        });
      }
    } while (pageToken !== undefined);
    return pages;
  }

  private dataProvenance(
    dataSource: DataSource,
    responses: Array<UpstreamResponse<unknown>>,
    timestamps: string[],
  ): Provenance {
    return stampProvenance(this.config, {
      dataSource,
      api: 'data',
      responses,
      timestamps,
      feed: this.config.alpaca.optionsFeed,
    });
  }
}
