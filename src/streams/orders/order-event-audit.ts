import { Injectable } from '@nestjs/common';
import type { OrderUpdate } from '../../alpaca/trading/trade-updates.port.js';
import { AuditService } from '../../audit/audit.service.js';
import { DEFAULT_ACCOUNT, perAccountName } from '../../core/config/alpaca-accounts.js';
import { WinstonLogger } from '../../core/logging/winston-logger.js';

/** The events that change what an account holds or may still hold; each is audited once. */
export const AUDITED_ORDER_EVENTS: ReadonlySet<string> = new Set([
  'fill',
  'partial_fill',
  'canceled',
  'expired',
  'replaced',
  'rejected',
]);
/** A failed write is tried again after 1 s, 2 s, 4 s (the dedupe key makes a retry harmless). */
const RETRY_DELAYS_MS = [1000, 2000, 4000];

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/**
 * What makes two deliveries of an event the same event: a fill's execution id (Alpaca's UUID for
 * that execution), otherwise the order, the event and Alpaca's timestamp (or, for an event without
 * one, the order's `updated_at`). Copied from what Alpaca sent; nothing is computed.
 */
export function dedupeKeyOf(update: OrderUpdate, account: string = DEFAULT_ACCOUNT): string {
  // A named account's keys say its name (the `default` account's keep the form they had before accounts).
  const source = perAccountName('trade_updates', account);
  if (update.execution_id !== undefined) return `${source}:execution:${update.execution_id}`;
  const at = update.timestamp ?? text(update.order['updated_at']) ?? '';
  return `${source}:order:${update.order_id}:${update.event}:${at}`;
}

/**
 * Writes order events from Alpaca's trading stream to the audit trail, exactly once. Called only on
 * the instance that read the event from Alpaca (the feed's `read`); an event two instances both
 * read (a leader handover, STREAM_FALLBACK_LOCAL while Redis is away, several instances without
 * Redis) carries the same dedupe key, and the store appends a key at most once (PostgreSQL: looked
 * up under the chain lock, unique index as backstop; JSONL: one writer, checked in its queue).
 * Action `order_event`, outcome = the event name, resource `order:<client_order_id>` like the
 * REST order records, actor none (Alpaca reported it, no principal asked for it).
 */
@Injectable()
export class OrderEventAudit {
  /** One write at a time, so the trail keeps Alpaca's order of events. */
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly audit: AuditService,
    private readonly logger: WinstonLogger,
  ) {}

  /** `account`: the gateway's name of the Alpaca account whose stream sent them. */
  record(updates: readonly OrderUpdate[], receivedAt: string, account: string): void {
    for (const update of updates) {
      if (!AUDITED_ORDER_EVENTS.has(update.event)) continue;
      this.tail = this.tail.then(() => this.write(update, receivedAt, account, 0));
    }
  }

  /** Resolves once every event handed over so far is written or given up (tests, shutdown). */
  settled(): Promise<void> {
    return this.tail;
  }

  private async write(update: OrderUpdate, receivedAt: string, account: string, attempt: number): Promise<void> {
    const { order } = update;
    const key = dedupeKeyOf(update, account);
    try {
      const record = await this.audit.recordOnce(
        {
          action: 'order_event',
          account,
          resource: `order:${text(order['client_order_id']) ?? update.order_id}`,
          outcome: update.event,
          details: {
            source: 'alpaca_trade_updates',
            event: update.event,
            order_id: update.order_id,
            client_order_id: text(order['client_order_id']),
            symbol: update.symbol,
            side: text(order['side']),
            order_status: text(order['status']),
            qty: update.qty ?? null,
            price: update.price ?? null,
            position_qty: update.position_qty ?? null,
            execution_id: update.execution_id ?? null,
            filled_qty: text(order['filled_qty']),
            filled_avg_price: text(order['filled_avg_price']),
            timestamp: update.timestamp,
            received_at: receivedAt,
          },
        },
        key,
      );
      if (record === null)
        this.logger.event('debug', 'order_event_already_audited', { order_id: update.order_id, event: update.event });
    } catch (e: unknown) {
      const delay = RETRY_DELAYS_MS[attempt];
      const error = e instanceof Error ? e.message : String(e);
      if (delay === undefined) {
        this.logger.event('error', 'order_event_audit_failed', {
          order_id: update.order_id,
          event: update.event,
          dedupe_key: key,
          error,
        });
        return;
      }
      this.logger.event('warn', 'order_event_audit_retry', {
        order_id: update.order_id,
        event: update.event,
        delay_ms: delay,
        error,
      });
      const timer = setTimeout(() => void this.write(update, receivedAt, account, attempt + 1), delay);
      timer.unref();
    }
  }
}
