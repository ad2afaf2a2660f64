import type { StreamEndpoint } from '../../alpaca/stream/market-stream.port.js';
import type { AppConfig } from '../../core/config/app-config.js';
import type { DataQualityService } from '../../core/quality/data-quality.service.js';
import type { FeedData } from '../feed/stream-feed.js';
import type { StreamMetrics } from '../stream-metrics.js';
import { OutboundFrame, OutboundMessage, type ClientChannel } from '../stream-protocol.js';
import type { StreamCacheWriter } from './stream-cache-writer.js';
import { streamQualityFlags } from './stream-data-quality.js';
import type { FanOut } from './stream-fan-out.js';
import type { SubscriptionGroup, SubscriptionGroups } from './subscription-groups.js';

/** The client channel each upstream message goes to: corrections and cancel/errors to the symbol's `trades`, as Alpaca sends them. */
const DATA_TYPE_CHANNEL: Readonly<Record<Exclude<FeedData['type'], 'order_update'>, ClientChannel>> = {
  quote: 'quotes',
  trade: 'trades',
  correction: 'trades',
  cancel_error: 'trades',
  bar: 'bars',
  updated_bar: 'updated_bars',
  daily_bar: 'daily_bars',
  status: 'statuses',
  luld: 'lulds',
  option_quote: 'option_quotes',
  option_trade: 'option_trades',
};

/**
 * A market-data frame from upstream to the clients subscribed to its symbols: each message is
 * checked and serialized once, stock quotes and trades go to the stream-fed cache, and each group
 * of sessions with the same subscription gets one frame of its messages, handed out by the fan-out.
 */
export class MarketDataDelivery {
  constructor(
    private readonly config: AppConfig,
    private readonly quality: DataQualityService,
    private readonly streamed: StreamCacheWriter,
    private readonly groups: SubscriptionGroups,
    private readonly fanOut: FanOut,
    private readonly metrics: StreamMetrics,
  ) {}

  deliver(endpoint: StreamEndpoint, messages: readonly FeedData[], receivedAt: string): void {
    const feed = endpoint === 'stocks' ? this.config.alpaca.stockFeed : this.config.alpaca.optionsFeed;
    this.metrics.upstreamMessages(endpoint, messages.length);
    const receivedMs = Date.parse(receivedAt);
    // Each message is serialized once; each group of sessions with the same subscription then gets
    // one frame with its messages of this upstream frame, built once and shared by its sessions.
    const perGroup = new Map<SubscriptionGroup, OutboundMessage[]>();
    let deliveries = 0;
    for (const m of messages) {
      if (m.type === 'order_update') continue;
      // Checked once per upstream message, whoever receives it (the REST answer from the stream too).
      const dataQuality = this.quality.of(streamQualityFlags(this.quality, m));
      // The cache takes every streamed stock quote/trade (in a fleet also those of other instances' clients).
      if (m.type === 'quote' || m.type === 'trade')
        this.streamed.write(m.type, feed, m.symbol, m.data, {
          timestamp: m.data.timestamp,
          receivedMs,
          quality: dataQuality,
        });
      const holders = this.groups.holders(DATA_TYPE_CHANNEL[m.type], m.symbol);
      if (holders === undefined || holders.size === 0) continue;
      const out = OutboundMessage.of(
        {
          type: m.type,
          symbol: m.symbol,
          ...m.data,
          received_at: receivedAt,
          feed,
          provider: this.streamed.provider,
          data_quality: dataQuality,
        },
        m,
      );
      for (const group of holders) {
        const batch = perGroup.get(group);
        if (batch === undefined) perGroup.set(group, [out]);
        else batch.push(out);
        deliveries += group.sessions.size;
      }
    }
    for (const [group, batch] of perGroup) this.fanOut.enqueue([...group.sessions], new OutboundFrame(batch));
    if (deliveries > 0) this.metrics.delivered(deliveries, receivedMs);
  }
}
