import type {
  CorporateAction,
  CorporateActions,
  MostActives,
  Movers,
  NewsArticle,
} from '../../alpaca/reference/market-reference.models.js';
import type { WireObject } from './stock-wire.js';

/*
 * News, corporate actions and screeners back into Alpaca's bodies (MD-SPEC, see docs/alpaca-wire.md "Sources"; `news`,
 * `corporate_actions`, `most_actives_resp`, `movers_resp`): these models keep Alpaca's names, so
 * this is a copy of the members Alpaca documents, with what Alpaca left out left out again.
 */

/** MD-SPEC `news`; `url` is nullable there, so a null url goes out as null. */
export function wireNewsArticle(a: NewsArticle): WireObject {
  return {
    id: a.id,
    headline: a.headline,
    author: a.author,
    created_at: a.created_at,
    updated_at: a.updated_at,
    summary: a.summary,
    content: a.content,
    url: a.url,
    images: a.images.map((i) => ({ size: i.size, url: i.url })),
    symbols: a.symbols,
    source: a.source,
  };
}

function withoutNulls(action: CorporateAction): WireObject {
  const out: WireObject = {};
  for (const [key, value] of Object.entries(action)) {
    if (value === null) continue;
    out[key] = Array.isArray(value)
      ? value.map((m) => Object.fromEntries(Object.entries(m).filter(([, v]) => v !== null)))
      : value;
  }
  return out;
}

/** MD-SPEC `corporate_actions`: the lists Alpaca sent (a type it did not send stays absent), each action without the members it left out. */
export function wireCorporateActions(lists: CorporateActions): WireObject {
  const sent = Object.entries(lists).flatMap(([list, actions]) =>
    actions === null ? [] : [[list, actions.map(withoutNulls)] as const],
  );
  return Object.fromEntries(sent);
}

export function wireMostActives(m: MostActives): WireObject {
  return {
    most_actives: m.most_actives.map((a) => ({ symbol: a.symbol, volume: a.volume, trade_count: a.trade_count })),
    last_updated: m.last_updated,
  };
}

export function wireMovers(m: Movers): WireObject {
  const mover = (x: Movers['gainers'][number]): WireObject => ({
    symbol: x.symbol,
    percent_change: x.percent_change,
    change: x.change,
    price: x.price,
  });
  return {
    gainers: m.gainers.map(mover),
    losers: m.losers.map(mover),
    market_type: m.market_type,
    last_updated: m.last_updated,
  };
}
