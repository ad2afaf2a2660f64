/**
 * Each account's own trading fixtures. Every account starts from the same fixture values (so any
 * account answers like the single-account emulator), but with its own account id and
 * account_number and with the ids of its fixture orders and activities rewritten, so an id names
 * one account's object only (Alpaca's ids are unique across accounts). The first account keeps
 * the fixture ids exactly: single-account specs assert on them.
 */
import { createHash } from 'node:crypto';
import type { EmulatorFixtures } from '../emulator.types.js';

/** The members of EmulatorFixtures that belong to one account; everything else is shared market data. */
export const TRADING_KEYS = ['account', 'positions', 'orders', 'activities', 'portfolioHistory'] as const;

export type TradingFixtures = Pick<EmulatorFixtures, (typeof TRADING_KEYS)[number]>;

type Json = Record<string, unknown>;

/** A uuid-shaped id derived from the account's key id and the fixture's id: stable across resets. */
export function scopedId(keyId: string, id: string): string {
  const hex = createHash('sha1').update(`${keyId}\u0000${id}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function rewrite(value: unknown, keyId: string): unknown {
  return typeof value === 'string' && value !== '' ? scopedId(keyId, value) : value;
}

function reIdOrder(order: Json, keyId: string): Json {
  const legs = Array.isArray(order.legs)
    ? order.legs.map((leg: unknown) => (typeof leg === 'object' && leg !== null ? reIdOrder(leg as Json, keyId) : leg))
    : order.legs;
  return {
    ...order,
    id: rewrite(order.id, keyId),
    replaced_by: rewrite(order.replaced_by, keyId),
    replaces: rewrite(order.replaces, keyId),
    legs,
  };
}

/** Activity ids are `<time>::<uuid>` (ids sort by time): the time stays, the uuid is the account's. */
function reIdActivity(activity: Json, keyId: string): Json {
  const id =
    typeof activity.id === 'string'
      ? activity.id.replace(/::(.+)$/, (_whole, uuid: string) => `::${scopedId(keyId, uuid)}`)
      : activity.id;
  const copy: Json = { ...activity, id };
  if (activity.order_id !== undefined) copy.order_id = rewrite(activity.order_id, keyId);
  return copy;
}

/**
 * The trading fixtures of the account at `index` (1 or more), taken from a fresh fixture set:
 * account id and number of its own, order and activity ids rewritten. Positions and portfolio
 * history keep their values (asset ids are shared by every account, as on Alpaca).
 */
export function accountTradingFixtures(fresh: EmulatorFixtures, keyId: string, index: number): TradingFixtures {
  const account: Json = { ...fresh.account, id: scopedId(keyId, String(fresh.account.id)) };
  if (typeof fresh.account.account_number === 'string')
    account.account_number = `${fresh.account.account_number}_${index + 1}`;
  return {
    account,
    positions: fresh.positions,
    orders: fresh.orders.map((order) => reIdOrder(order, keyId)),
    activities: fresh.activities.map((activity) => reIdActivity(activity, keyId)),
    portfolioHistory: fresh.portfolioHistory,
  };
}
