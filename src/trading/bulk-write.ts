import type { Attributed } from '../core/attribution/provenance.js';
import { AppError } from '../core/errors/app-error.js';
import type { Caller } from '../core/identity/caller.js';
import type { AuditService } from '../audit/audit.service.js';
import type { AuditAction } from '../audit/audit.types.js';
import type { Sourced } from '../alpaca/stocks/market-data.port.js';
import type { TradingObject } from '../alpaca/trading/trading.models.js';
import { tradingAnswer } from './trading-reads.service.js';

/** Whether one entry of a 207 list reports success: its own HTTP status is 2xx. */
export function entryAccepted(entry: TradingObject): boolean {
  const status = entry['status'];
  return typeof status === 'number' && status >= 200 && status < 300;
}

/** One of Alpaca's all-at-once writes (cancel every order, close every position). */
export interface BulkWrite {
  requested: AuditAction;
  outcome: AuditAction;
  resource: string;
  caller: Caller;
  /** What names an entry of Alpaca's list in the audit details: the order id or the position's symbol. */
  key: 'id' | 'symbol';
  details?: Record<string, unknown>;
  send: () => Promise<Sourced<TradingObject[]>>;
}

/**
 * Audited before it is sent, sent once, and answered with Alpaca's per-entry list (207) as it
 * came, each entry with `accepted`; the outcome record names the accepted and the refused entries.
 */
export async function auditedBulkWrite(audit: AuditService, w: BulkWrite): Promise<Attributed<TradingObject[]>> {
  const { resource, caller } = w;
  await audit.recordOrRefuse({ action: w.requested, resource, outcome: 'pending', caller, details: w.details });
  let result: Sourced<TradingObject[]>;
  try {
    result = await w.send();
  } catch (e: unknown) {
    await audit.recordBestEffort({
      action: w.outcome,
      resource,
      outcome: e instanceof AppError ? e.code : 'error',
      caller,
    });
    throw e;
  }
  const entries: TradingObject[] = result.value.map((entry) => ({ ...entry, accepted: entryAccepted(entry) }));
  const refused = entries.filter((e) => e['accepted'] !== true);
  await audit.recordBestEffort({
    action: w.outcome,
    resource,
    outcome: refused.length === 0 ? 'all_accepted' : 'some_refused',
    caller,
    details: {
      accepted: entries.filter((e) => e['accepted'] === true).map((e) => e[w.key]),
      refused: refused.map((e) => ({ [w.key]: e[w.key], status: e['status'] })),
    },
  });
  return tradingAnswer({ value: entries, provenance: result.provenance });
}
