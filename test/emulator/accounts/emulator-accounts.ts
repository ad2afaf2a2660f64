/**
 * The Alpaca accounts one emulator serves. Like Alpaca, each account (picked by the API key a
 * request or a trading-stream connection authenticates with) has its own account object,
 * positions, orders, activities, portfolio history and order events; market data is shared.
 *
 * The first account's trading state lives in `emulator.fixtures` itself, so single-account tests
 * that edit `emulator.fixtures.orders` keep working; every other account holds its own copy
 * (account-fixtures.ts).
 */
import type { EmulatorFixtures, EmulatorOptions } from '../emulator.types.js';
import type { EmulatorState } from '../http/router.js';
import type { LiveMarketData } from '../market/live-market-data.js';
import { OrderEvents } from '../orders/order-events.js';
import { OrderControls } from '../trading-stream/order-controls.js';
import { accountTradingFixtures, type TradingFixtures } from './account-fixtures.js';

/** One account of EmulatorOptions.accounts; `name` is only a label for tests and the demo. */
export interface EmulatorAccountConfig {
  name: string;
  keyId: string;
  secretKey: string;
}

/** Names an account in the emulator's API: its name or its key id. */
export type AccountRef = string;

/** The one account an emulator built without `accounts` serves. */
export const DEFAULT_ACCOUNT_NAME = 'default';
const DEFAULT_KEY_ID = 'emulator-key-id';
const DEFAULT_SECRET_KEY = 'emulator-secret-key';

/** EmulatorOptions.accounts, or the one account keyId/secretKey (or the defaults) describe. */
export function accountConfigs(options: EmulatorOptions): ReadonlyArray<EmulatorAccountConfig> {
  if (options.accounts === undefined) {
    return [
      {
        name: DEFAULT_ACCOUNT_NAME,
        keyId: options.keyId ?? DEFAULT_KEY_ID,
        secretKey: options.secretKey ?? DEFAULT_SECRET_KEY,
      },
    ];
  }
  if (options.keyId !== undefined || options.secretKey !== undefined)
    throw new TypeError('EmulatorOptions: give either keyId/secretKey or accounts, not both');
  return options.accounts;
}

export class EmulatorAccount {
  /** This account's order events (submit, fill, cancel...), as its trading stream sends them. */
  readonly orderEvents = new OrderEvents();
  /** Ids of this account's orders that still read as `accepted`. */
  readonly pendingAcceptance = new Set<string>();
  readonly controls: OrderControls;
  /** What route handlers see for requests under this account. */
  readonly state: EmulatorState;
  private own: TradingFixtures | undefined;

  constructor(
    readonly config: Readonly<EmulatorAccountConfig>,
    readonly index: number,
    private readonly shared: () => EmulatorFixtures,
    liveData: LiveMarketData | undefined,
  ) {
    this.controls = new OrderControls(() => this.trading, this.pendingAcceptance, this.orderEvents);
    this.state = new AccountState(this, liveData);
  }

  get name(): string {
    return this.config.name;
  }

  get keyId(): string {
    return this.config.keyId;
  }

  get secretKey(): string {
    return this.config.secretKey;
  }

  /**
   * This account's trading state (account, positions, orders, activities, portfolioHistory),
   * mutable like `emulator.fixtures`: tests edit it or replace its members. For the first account
   * it is `emulator.fixtures` itself.
   */
  get trading(): TradingFixtures {
    return this.own ?? this.shared();
  }

  /** Shared market data with this account's trading state: what its requests read. */
  fixtures(): EmulatorFixtures {
    return this.own === undefined ? this.shared() : { ...this.shared(), ...this.own };
  }

  /** Back to a fresh trading state; `fresh` is a new fixture set this account may keep parts of. */
  reset(fresh: () => EmulatorFixtures): void {
    if (this.index > 0) this.own = accountTradingFixtures(fresh(), this.keyId, this.index);
    this.pendingAcceptance.clear();
    this.orderEvents.reset();
  }
}

/** Route handlers' view of one account; always reads the current fixtures. */
class AccountState implements EmulatorState {
  constructor(
    private readonly account: EmulatorAccount,
    readonly liveData: LiveMarketData | undefined,
  ) {}

  get fixtures(): EmulatorFixtures {
    return this.account.fixtures();
  }

  get pendingAcceptance(): Set<string> {
    return this.account.pendingAcceptance;
  }

  get orderEvents(): OrderEvents {
    return this.account.orderEvents;
  }
}

function checkedConfigs(configs: ReadonlyArray<EmulatorAccountConfig>): Array<Readonly<EmulatorAccountConfig>> {
  if (configs.length === 0) throw new TypeError('EmulatorOptions.accounts must name at least one account');
  const names = new Set(configs.map((c) => c.name));
  const keys = new Set(configs.map((c) => c.keyId));
  if (names.size !== configs.length) throw new TypeError('EmulatorOptions.accounts: names must be unique');
  if (keys.size !== configs.length) throw new TypeError('EmulatorOptions.accounts: key ids must be unique');
  return configs.map((c) => Object.freeze({ name: c.name, keyId: c.keyId, secretKey: c.secretKey }));
}

export class AccountRegistry {
  readonly all: readonly EmulatorAccount[];

  constructor(
    configs: ReadonlyArray<EmulatorAccountConfig>,
    shared: () => EmulatorFixtures,
    liveData: LiveMarketData | undefined,
    fresh: () => EmulatorFixtures,
  ) {
    this.all = checkedConfigs(configs).map((config, index) => new EmulatorAccount(config, index, shared, liveData));
    this.reset(fresh);
  }

  get first(): EmulatorAccount {
    const first = this.all[0];
    if (first === undefined) throw new Error('no accounts');
    return first;
  }

  /** The account these credentials belong to (both must match), or undefined. */
  byCredentials(keyId: unknown, secretKey: unknown): EmulatorAccount | undefined {
    return this.all.find((a) => a.keyId === keyId && a.secretKey === secretKey);
  }

  /** By name or key id; absent = the first account. Unknown → RangeError. */
  resolve(ref?: AccountRef): EmulatorAccount {
    if (ref === undefined) return this.first;
    const found = this.all.find((a) => a.name === ref) ?? this.all.find((a) => a.keyId === ref);
    if (found === undefined)
      throw new RangeError(
        `no emulator account ${JSON.stringify(ref)} (have: ${this.all.map((a) => a.name).join(', ')})`,
      );
    return found;
  }

  /** The account holding this order id (ids are unique across accounts), or undefined. */
  holdingOrder(orderId: string): EmulatorAccount | undefined {
    return this.all.find((a) => a.trading.orders.some((o) => o.id === orderId));
  }

  reset(fresh: () => EmulatorFixtures): void {
    for (const account of this.all) account.reset(fresh);
  }
}
