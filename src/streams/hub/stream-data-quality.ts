import type { QualityFlag } from '../../core/quality/data-quality.js';
import type { DataQualityService } from '../../core/quality/data-quality.service.js';
import type { FeedData } from '../feed/stream-feed.js';

/**
 * Stream data is live by definition: prices, sizes, crossed/locked quotes and future timestamps
 * are checked, staleness is not (a quiet symbol's last tick is simply its latest). Updated and
 * daily bars are bars; a correction's corrected trade is a trade; LULD bands have prices; a
 * status or a cancel/error has only its timestamp to check.
 */
export function streamQualityFlags(
  quality: DataQualityService,
  m: Exclude<FeedData, { type: 'order_update' }>,
): QualityFlag[] {
  const checks = quality.checks;
  const at = quality.moment(false);
  switch (m.type) {
    case 'quote':
    case 'option_quote':
      return checks.quote(m.data, at);
    case 'trade':
    case 'option_trade':
      return checks.trade(m.data, at);
    case 'bar':
    case 'updated_bar':
    case 'daily_bar':
      return checks.bar(m.data, at);
    case 'correction':
      return checks.trade(
        { timestamp: m.data.timestamp, price: m.data.corrected_price, size: m.data.corrected_size },
        at,
      );
    case 'luld': {
      const flags = checks.timestamp(m.data.timestamp, at);
      if (m.data.limit_up_price <= 0 || m.data.limit_down_price <= 0) flags.push('non_positive_price');
      return flags;
    }
    case 'status':
    case 'cancel_error':
      return checks.timestamp(m.data.timestamp, at);
  }
}
