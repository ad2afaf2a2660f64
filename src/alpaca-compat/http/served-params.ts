import type { AppConfig } from '../../core/config/app-config.js';
import { AppError } from '../../core/errors/app-error.js';

/*
 * What the gateway serves of Alpaca's parameters beyond their syntax: one options feed, auctions
 * from SIP only, US dollars, and none of the filters /api/v1 does not pass on. Asking for anything
 * else is a 400 naming it (answered in Alpaca's body), never an answer to another question.
 */

function unserved(parameter: string, message: string, details: Record<string, unknown> = {}): AppError {
  return new AppError('INVALID_PARAMETER', { message, details: { parameter, ...details } });
}

/** A feed asked by name is served only when it is the configured one (never answered from another). */
function assertFeed(served: string, feed: string | undefined): void {
  if (feed !== undefined && feed.toLowerCase() !== served) {
    throw unserved('feed', `feed "${feed.slice(0, 20)}" is not served by this gateway; it serves "${served}".`, {
      served,
    });
  }
}

/** The options operations that take a feed serve the configured one (ALPACA_OPTIONS_FEED) only. */
export function assertOptionFeed(config: AppConfig, q: { feed?: string }): void {
  assertFeed(config.alpaca.optionsFeed, q.feed);
}

/** The stock operations serve the configured feed (ALPACA_STOCK_FEED), in US dollars. */
export function assertStockFeed(config: AppConfig, q: { feed?: string; currency?: string }): void {
  assertFeed(config.alpaca.stockFeed, q.feed);
  assertUsd(q);
}

/** Auctions exist on SIP only, and the gateway always asks Alpaca for SIP's. */
export function assertAuctionFeed(q: { feed?: string; currency?: string }): void {
  if (q.feed !== undefined && q.feed.toLowerCase() !== 'sip') {
    throw unserved(
      'feed',
      `feed "${q.feed.slice(0, 20)}" is not served for auctions by this gateway; auctions are SIP's.`,
      {
        served: 'sip',
      },
    );
  }
  assertUsd(q);
}

export function assertUsd(q: { currency?: string }): void {
  if (q.currency !== undefined && q.currency.toUpperCase() !== 'USD') {
    throw unserved('currency', 'Only USD prices are served (no currency conversion).');
  }
}

/** Refuses the first of `names` the request carries: a parameter of Alpaca's that the gateway does not pass on. */
export function refuseUnserved(q: object, names: readonly string[]): void {
  const given = names.find((name) => (q as Record<string, unknown>)[name] !== undefined);
  if (given !== undefined) throw unserved(given, `${given} is not served by this gateway.`);
}
