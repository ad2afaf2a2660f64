import { Injectable } from '@nestjs/common';
import type { Attributed } from '../core/attribution/provenance.js';
import { AppError } from '../core/errors/app-error.js';
import { assertOrderedRange } from '../core/validation/time-range.js';
import type { Caller } from '../core/identity/caller.js';
import { TradingAccountsPort } from '../alpaca/trading/trading.port.js';
import type { TradingObject } from '../alpaca/trading/trading.models.js';
import {
  MAX_ACTIVITIES_PAGE,
  type ActivitiesQueryDto,
  type PortfolioHistoryQueryDto,
} from './dto/account-history.dto.js';
import { tradingAnswer } from './trading-reads.service.js';

export interface ActivitiesPage {
  activities: TradingObject[];
  page_info: {
    /** The page was full: Alpaca may hold more (a full last page is followed by an empty one). */
    has_more: boolean;
    /** The id of the page's last activity (TR-SPEC: the next page's page_token); null when not full. */
    next_page_token: string | null;
    count: number;
  };
}

function refuse(field: string, problem: string): AppError {
  return new AppError('INVALID_PARAMETER', {
    message: `${field}: ${problem}`,
    details: { fields: [{ field, problems: [problem] }] },
  });
}

/** Account activities and portfolio history: read from Alpaca on every request, values exactly as sent. */
@Injectable()
export class AccountHistoryService {
  constructor(private readonly accounts: TradingAccountsPort) {}

  async activities(q: ActivitiesQueryDto, caller: Caller): Promise<Attributed<ActivitiesPage>> {
    // TR-SPEC getAccountActivities: category "Cannot be used with activity_types".
    if (q.activity_types !== undefined && q.category !== undefined)
      throw refuse('category', 'category cannot be combined with activity_types');
    assertOrderedRange(q.after, q.until);
    const page = await this.accounts.forCaller(caller).activities({ ...q });
    const activities = page.value;
    const full = activities.length > 0 && activities.length === (q.page_size ?? MAX_ACTIVITIES_PAGE);
    const last = activities[activities.length - 1]?.['id'];
    return tradingAnswer({
      value: {
        activities,
        page_info: {
          has_more: full,
          next_page_token: full && typeof last === 'string' ? last : null,
          count: activities.length,
        },
      },
      provenance: page.provenance,
    });
  }

  async portfolioHistory(q: PortfolioHistoryQueryDto, caller: Caller): Promise<Attributed<TradingObject>> {
    // TR-SPEC: "Only two of start, end and period can be specified at the same time."
    if (q.period !== undefined && q.start !== undefined && q.end !== undefined)
      throw refuse('period', 'send at most two of period, start and end');
    assertOrderedRange(q.start, q.end);
    return tradingAnswer(await this.accounts.forCaller(caller).portfolioHistory({ ...q }));
  }
}
