import { Controller, Get, Param, Query, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Attributed } from '../../core/attribution/provenance.js';
import { WireBody } from '../../core/attribution/wire-body.js';
import { FreshnessQueryDto } from '../../core/cache/freshness-query.dto.js';
import { AppError } from '../../core/errors/app-error.js';
import { Authenticated } from '../../core/identity/authenticated.decorator.js';
import { AssetParamDto, AssetsQueryDto, CalendarQueryDto } from '../../market-data/dto/reference-query.dto.js';
import { MarketClockService } from '../../market-data/market-clock.service.js';
import { PassThroughService } from '../../market-data/pass-through/pass-through.service.js';
import { REFERENCE_ROUTES as R } from '../../market-data/reference.routes.js';
import { ContractsQueryDto } from '../../options/dto/contracts-query.dto.js';
import { parseOccSymbol } from '../../options/occ-symbol.js';
import { OptionContractsService } from '../../options/option-contracts.service.js';
import { AlpacaRefusalsInterceptor } from './alpaca-refusals.interceptor.js';
import { ContractKeyParam } from './trading-face.dto.js';
import { wireAsset, wireCalendarDay, wireContract } from './trading-wire.js';

/**
 * The trading host's reference operations (assets, clock, calendar, option contracts), served by
 * the services /api/v1 uses, with the same caches and roles (the market clock and reference data
 * for viewers, option contracts for premium and up).
 */
@ApiExcludeController()
@UseInterceptors(AlpacaRefusalsInterceptor)
@Controller('v2')
export class AlpacaTradingReferenceController {
  constructor(
    private readonly passThrough: PassThroughService,
    private readonly clocks: MarketClockService,
    private readonly contractsService: OptionContractsService,
  ) {}

  @Get('assets')
  @Authenticated('market:read')
  async assets(@Query() q: AssetsQueryDto): Promise<WireBody> {
    const r = await this.passThrough.serve(R.assets, q);
    return new WireBody(r.data.assets.map(wireAsset), r);
  }

  @Get('assets/:symbol_or_asset_id')
  @Authenticated('market:read')
  async asset(@Param() p: AssetParamDto, @Query() q: FreshnessQueryDto): Promise<WireBody> {
    const r = await this.passThrough.serve(R.asset, { ...q, ...p });
    return new WireBody(wireAsset(r.data), r);
  }

  @Get('clock')
  @Authenticated('market:read')
  async clock(): Promise<WireBody> {
    const { clock, cache } = await this.clocks.clock();
    const c = clock.value;
    const body = { timestamp: c.timestamp, is_open: c.is_open, next_open: c.next_open, next_close: c.next_close };
    return new WireBody(body, new Attributed(c, clock.provenance, cache, c.is_open ? 'open' : 'closed'));
  }

  @Get('calendar')
  @Authenticated('market:read')
  async calendar(@Query() q: CalendarQueryDto): Promise<WireBody> {
    const r = await this.passThrough.serve(R.calendar, q);
    return new WireBody(r.data.days.map(wireCalendarDay), r);
  }

  @Get('options/contracts')
  @Authenticated('options:read')
  async contracts(@Query() q: ContractsQueryDto): Promise<WireBody> {
    const r = await this.contractsService.contracts(q);
    return new WireBody(
      { option_contracts: r.data.contracts.map(wireContract), next_page_token: r.data.page_info.next_page_token },
      r,
    );
  }

  /**
   * One contract by its OCC symbol: the contract search filtered to its root, expiration, type and
   * strike (active, then inactive, as Alpaca's lookup finds both). Alpaca's contract ids are not
   * served: no service of the gateway looks a contract up by id.
   */
  @Get('options/contracts/:symbol_or_id')
  @Authenticated('options:read')
  async contract(@Param() p: ContractKeyParam): Promise<WireBody> {
    const parsed = parseOccSymbol(p.symbol_or_id);
    if (!parsed.ok) {
      throw new AppError('INVALID_PARAMETER', {
        message: `symbol_or_id: contracts are looked up by OCC symbol (such as AAPL250620C00100000) on this gateway; ${JSON.stringify(parsed.symbol)} is not one (contract ids are not served)`,
        details: { fields: [{ field: 'symbol_or_id', problems: parsed.problems.map((x) => x.problem) }] },
      });
    }
    const c = parsed.contract;
    for (const status of ['active', 'inactive'] as const) {
      // Both bounds of the expiration: Alpaca defaults a missing upper bound to the coming weekend.
      const r = await this.contractsService.contracts({
        root_symbol: c.root_symbol,
        status,
        type: c.option_type,
        expiration_date_gte: c.expiration_date,
        expiration_date_lte: c.expiration_date,
        strike_price_gte: c.strike_price,
        strike_price_lte: c.strike_price,
      });
      const found = r.data.contracts.find((x) => x.symbol === c.symbol);
      if (found !== undefined) return new WireBody(wireContract(found), r);
    }
    throw new AppError('SYMBOL_NOT_FOUND', {
      message: `option contract ${c.symbol} not found`,
      details: { symbol: c.symbol },
    });
  }
}
