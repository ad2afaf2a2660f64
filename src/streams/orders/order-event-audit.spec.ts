import type { OrderUpdate } from '../../alpaca/trading/trade-updates.port.js';
import { dedupeKeyOf } from './order-event-audit.js';

const base: OrderUpdate = {
  event: 'canceled',
  order_id: 'o1',
  symbol: 'AAPL',
  timestamp: '2026-01-02T15:00:00.123456789Z',
  order: { id: 'o1', updated_at: '2026-01-02T15:00:00.2Z' },
};

describe('dedupeKeyOf', () => {
  it('a fill is its execution: the same execution_id is the same event, whatever else differs', () => {
    const fill = { ...base, event: 'fill', execution_id: 'e1' };
    expect(dedupeKeyOf(fill)).toBe('trade_updates:execution:e1');
    expect(dedupeKeyOf({ ...fill, timestamp: 'later', event: 'partial_fill' })).toBe(dedupeKeyOf(fill));
    expect(dedupeKeyOf({ ...fill, execution_id: 'e2' })).not.toBe(dedupeKeyOf(fill));
  });

  it("otherwise order, event and Alpaca's timestamp (the order's updated_at when the event has none)", () => {
    expect(dedupeKeyOf(base)).toBe('trade_updates:order:o1:canceled:2026-01-02T15:00:00.123456789Z');
    expect(dedupeKeyOf({ ...base, event: 'expired' })).not.toBe(dedupeKeyOf(base));
    expect(dedupeKeyOf({ ...base, timestamp: null })).toBe('trade_updates:order:o1:canceled:2026-01-02T15:00:00.2Z');
  });

  it("a named account's keys say its name; the default account's keep the form they had before accounts", () => {
    expect(dedupeKeyOf(base, 'default')).toBe(dedupeKeyOf(base));
    expect(dedupeKeyOf(base, 'live')).toBe('trade_updates:live:order:o1:canceled:2026-01-02T15:00:00.123456789Z');
    expect(dedupeKeyOf({ ...base, execution_id: 'e1' }, 'paper')).toBe('trade_updates:paper:execution:e1');
  });
});
