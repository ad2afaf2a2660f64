import type { Attributed } from './provenance.js';

/**
 * An answer in the upstream's own wire shape (the Alpaca-compatible face): the body leaves as it
 * is, without our envelope, and the provenance the envelope would carry goes in response headers
 * (X-Data-Source, X-Cache-Status, X-Data-Freshness, X-Data-Provider, X-Data-Quality). `from` is
 * the answer the body was rendered from; null when the body has no upstream behind it.
 */
export class WireBody {
  constructor(
    readonly body: unknown,
    readonly from: Attributed<unknown> | null,
  ) {}
}
