import { AppConfig } from '../../core/config/app-config.js';
import { Clock } from '../../core/time/clock.js';
import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope } from '../../core/attribution/api-envelope.decorator.js';
import { Attributed, NEVER_CACHED } from '../../core/attribution/provenance.js';
import { AppError } from '../../core/errors/app-error.js';
import { CurrentCaller } from '../../core/identity/auth.decorators.js';
import { Authenticated } from '../../core/identity/authenticated.decorator.js';
import type { Caller } from '../../core/identity/caller.js';
import type { TradingObject } from '../../alpaca/trading/trading.models.js';
import { OrderCancelService } from '../orders/order-cancel.service.js';
import { accountOfScope, parseScope, type Halt, type HaltScope } from './halt-scope.js';
import { HaltListDto, HaltRequestDto, HaltResultDto, ResumeQueryDto, ResumeResultDto } from './halt.dto.js';
import { TradingHalts, type Propagation } from './trading-halts.service.js';

interface AccountCancelOutcome {
  account: string;
  outcomes: TradingObject[] | null;
  error: { code: string; message: string } | null;
}

/** Every account's outcomes together (null when none answered), the first error, and each account's own. */
interface CancelOutcome {
  outcomes: TradingObject[] | null;
  error: { code: string; message: string } | null;
  accounts: AccountCancelOutcome[];
}

export interface HaltResult {
  halt: Halt;
  replaced: Halt | null;
  halts: Halt[];
  propagation: Propagation;
  store: 'postgres' | 'file';
  cancel_open_orders: CancelOutcome | null;
}

export interface ResumeResult {
  resumed: boolean;
  halt: Halt | null;
  halts: Halt[];
  propagation: Propagation;
  store: 'postgres' | 'file';
}

function cancelError(e: unknown): { code: string; message: string } {
  return e instanceof AppError
    ? { code: e.code, message: e.message }
    : { code: 'INTERNAL_SERVICE_ERROR', message: 'The cancel-all failed unexpectedly.' };
}

/** The DTOs validated the pattern; this gives the type (and refuses anything that slipped past). */
function scopeOf(text: string): HaltScope {
  const scope = parseScope(text);
  if (scope === null)
    throw new AppError('INVALID_PARAMETER', {
      details: {
        fields: [{ field: 'scope', problems: ['scope must be `all`, `account:<account name>` or `key:<API key id>`'] }],
      },
    });
  return scope;
}

/**
 * The fleet-wide trading halt (admin only): set, list and end halts. A halt refuses new orders,
 * replacements and exercises of the principals it covers with 423 TRADING_HALTED on every
 * instance within a second; cancels, position closes and reads still work.
 */
@ApiTags('admin')
@Controller('admin/trading/halt')
export class TradingHaltController {
  constructor(
    private readonly halts: TradingHalts,
    private readonly cancelling: OrderCancelService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'The trading halts in force, as this instance knows them (every instance within a second of a change). Never cached.',
  })
  @ApiEnvelope(HaltListDto)
  @Authenticated('trading:halt')
  list(): Attributed<{ halts: Halt[]; state: 'known' | 'unknown' }> {
    const fetchedAt = this.clock.now();
    const { known, halts } = this.halts.current();
    return this.answer({ halts, state: known ? 'known' : 'unknown' }, [], fetchedAt);
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Halts trading for every principal (scope all), one Alpaca account (scope account:<name>) or one API key (scope key:<id>): new orders, replacements, exercises and multi-leg orders get 423 TRADING_HALTED.',
    description:
      'Stored durably (PostgreSQL with DATABASE_URL, else a file beside the JSONL audit trail) before it takes effect, then published to every instance (Redis). ' +
      'A halt of a scope already halted replaces it (new reason, since and by). Audited as trading_halted with who and why. Cancels, position closes, reads and ' +
      'repeats of orders answered before the halt (same Idempotency-Key and body) still work. cancel_open_orders (scope all: every account; scope account:<name>: that account) then cancels every open order ' +
      'through the cancel-all path and reports each outcome, per account in accounts; the halt stays in force whatever came of it.',
  })
  @ApiEnvelope(HaltResultDto)
  @Authenticated('trading:halt')
  async halt(@Body() body: HaltRequestDto, @CurrentCaller() caller: Caller): Promise<Attributed<HaltResult>> {
    const fetchedAt = this.clock.now();
    const scope = scopeOf(body.scope);
    const cancel = body.cancel_open_orders === true;
    if (cancel && scope.startsWith('key:')) {
      throw new AppError('INVALID_PARAMETER', {
        message:
          "cancel_open_orders cancels every open order of an account (Alpaca's cancel-all), not one key's: only with scope all or account:<name>.",
        details: { fields: [{ field: 'cancel_open_orders', problems: ['only with scope all or account:<name>'] }] },
      });
    }
    const result = await this.halts.halt(scope, body.reason, caller, cancel);
    let outcome: CancelOutcome | null = null;
    const upstreamRequestIds: string[] = [];
    if (cancel) {
      // `all`: every account's open orders; `account:<name>`: that account's.
      const named = accountOfScope(scope);
      const accounts = named === null ? this.config.accounts.list.map((a) => a.name) : [named];
      const each: AccountCancelOutcome[] = [];
      for (const account of accounts) {
        try {
          const canceled = await this.cancelling.cancelAll({ ...caller, account });
          each.push({ account, outcomes: canceled.data, error: null });
          upstreamRequestIds.push(...canceled.provenance.upstreamRequestIds);
        } catch (e: unknown) {
          // The halt is in force; the admin hears what became of the cancels.
          each.push({ account, outcomes: null, error: cancelError(e) });
        }
      }
      const answered = each.filter((a) => a.outcomes !== null);
      outcome = {
        outcomes: answered.length === 0 ? null : answered.flatMap((a) => a.outcomes ?? []),
        error: each.find((a) => a.error !== null)?.error ?? null,
        accounts: each,
      };
    }
    return this.answer(
      {
        halt: result.halt,
        replaced: result.replaced,
        halts: result.halts,
        propagation: result.propagation,
        store: this.halts.storeKind,
        cancel_open_orders: outcome,
      },
      upstreamRequestIds,
      fetchedAt,
    );
  }

  @Delete()
  @ApiOperation({
    summary: 'Resumes trading for a scope (ends its halt) on every instance; resumed false when none was in force.',
    description:
      'Audited as trading_resumed with who and why (the optional reason). Ending `all` leaves key halts in force, and the reverse.',
  })
  @ApiEnvelope(ResumeResultDto)
  @Authenticated('trading:halt')
  async resume(@Query() q: ResumeQueryDto, @CurrentCaller() caller: Caller): Promise<Attributed<ResumeResult>> {
    const fetchedAt = this.clock.now();
    const result = await this.halts.resume(scopeOf(q.scope), q.reason ?? null, caller);
    return this.answer(
      {
        resumed: result.ended !== null,
        halt: result.ended,
        halts: result.halts,
        propagation: result.propagation,
        store: this.halts.storeKind,
      },
      [],
      fetchedAt,
    );
  }

  /** The gateway's own record (provider gateway, the store as host), never cached. */
  private answer<T>(data: T, upstreamRequestIds: string[], fetchedAt: number): Attributed<T> {
    return new Attributed(
      data,
      {
        dataSource: 'gateway_trading_halt',
        provider: 'gateway',
        providerHost: `halt_store:${this.halts.storeKind}`,
        feed: null,
        dataTimestamp: null,
        upstreamRequestIds,
        fetchedAt,
      },
      NEVER_CACHED,
      null,
      true,
    );
  }
}
