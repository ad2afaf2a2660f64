import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { WireBody } from '../../core/attribution/wire-body.js';
import { AppConfig } from '../../core/config/app-config.js';
import { AppError } from '../../core/errors/app-error.js';
import { Authenticated } from '../../core/identity/authenticated.decorator.js';
import { requireOccSymbols } from '../../options/occ-symbol.js';
import { OptionChainService } from '../../options/option-chain.service.js';
import { requestedContracts } from '../../options/option-data.routes.js';
import { OptionQuotesService } from '../../options/option-quotes.service.js';
import { OptionChainQuery, OptionSnapshotsQuery } from '../http/market-queries.js';
import { pathSymbol } from '../http/path-symbol.js';
import { assertOptionFeed, refuseUnserved } from '../http/served-params.js';
import { wireOptionSnapshot } from '../wire/option-wire.js';

/**
 * Alpaca's option snapshots at Alpaca's paths. The chain is OptionChainService's page (the entry
 * /api/v1's chain route reads), contracts in Alpaca's order, next_page_token as Alpaca sent it. By
 * contract, each snapshot is the per-contract entry /api/v1's option quote route reads, the misses
 * merged into one upstream call; all asked contracts come back on one page (next_page_token null).
 * greeks and impliedVolatility are Alpaca's, absent where Alpaca sent none.
 */
@ApiExcludeController()
@Controller('v1beta1/options/snapshots')
export class AlpacaOptionSnapshotsController {
  constructor(
    private readonly chains: OptionChainService,
    private readonly quotes: OptionQuotesService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @Authenticated('options:read')
  async snapshots(@Query() q: OptionSnapshotsQuery): Promise<WireBody> {
    assertOptionFeed(this.config, q);
    // Per-contract entries are never paged, so there is no token of ours to continue from.
    refuseUnserved(q, ['updated_since', 'page_token']);
    const symbols = requestedContracts(q.symbols);
    if (q.limit !== undefined && q.limit < symbols.length) {
      throw new AppError('INVALID_PARAMETER', {
        message: `limit ${q.limit} is below the ${symbols.length} contracts asked for; this gateway answers every asked contract on one page.`,
        details: { parameter: 'limit' },
      });
    }
    const r = await this.quotes.latestMany(requireOccSymbols(symbols), q.max_age_seconds);
    const snapshots = Object.fromEntries(
      [...r.data.found].map(([symbol, snapshot]) => [symbol, wireOptionSnapshot(snapshot)]),
    );
    return new WireBody({ snapshots, next_page_token: null }, r);
  }

  @Get(':underlying_symbol')
  @Authenticated('options:read')
  async chain(@Param('underlying_symbol') raw: string, @Query() q: OptionChainQuery): Promise<WireBody> {
    assertOptionFeed(this.config, q);
    refuseUnserved(q, ['updated_since', 'root_symbol']);
    const r = await this.chains.page(pathSymbol(raw), {
      option_type: q.type,
      min_strike: q.strike_price_gte,
      max_strike: q.strike_price_lte,
      expiration_date: q.expiration_date,
      expiration_date_gte: q.expiration_date_gte,
      expiration_date_lte: q.expiration_date_lte,
      limit: q.limit,
      page_token: q.page_token,
      max_age_seconds: q.max_age_seconds,
    });
    const snapshots = Object.fromEntries(
      r.data.snapshots.map(({ symbol, snapshot }) => [symbol, wireOptionSnapshot(snapshot)]),
    );
    return new WireBody({ snapshots, next_page_token: r.data.next_page_token }, r);
  }
}
