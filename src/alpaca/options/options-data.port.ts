import type { Sourced, SymbolMap } from '../stocks/market-data.port.js';
import type {
  OptionChainPage,
  OptionChainQuery,
  OptionContractsPage,
  OptionContractsQuery,
  OptionSnapshot,
} from './options.models.js';

/**
 * The port features use for options data. Bound by AlpacaModule to the Alpaca implementation.
 * It returns only what Alpaca sent: no member is ever computed or defaulted.
 */
export abstract class OptionsDataPort {
  /**
   * Snapshots by OCC symbol (`/v1beta1/options/snapshots`, data host, configured options feed),
   * one call per 100 contracts (Alpaca's limit). A contract Alpaca has nothing for is absent.
   */
  abstract snapshots(symbols: string[]): Promise<Sourced<SymbolMap<OptionSnapshot>>>;
  /** One page of an underlying's chain (`/v1beta1/options/snapshots/{underlying}`), filters as given. */
  abstract chain(query: OptionChainQuery): Promise<Sourced<OptionChainPage>>;
  /** One page of `/v2/options/contracts` (trading host), filters as given. */
  abstract contracts(query: OptionContractsQuery): Promise<Sourced<OptionContractsPage>>;
}
