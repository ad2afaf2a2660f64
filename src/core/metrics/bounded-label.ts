/** Label values must look like identifiers or templates: no spaces, quotes or control characters. */
const SAFE_VALUE = /^[A-Za-z0-9_.:/{}-]{1,100}$/;
export const OVERFLOW_LABEL = 'other';

/**
 * Guards one label against unbounded cardinality. Values are expected from a small fixed set
 * (route templates, endpoint templates, catalog codes); should a caller ever pass something
 * open-ended (a raw path, a symbol), the first `max` distinct values are kept and everything after
 * them is folded into `other`, so a bug costs a little precision instead of the Prometheus server.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(private readonly max: number) {}

  value(raw: string): string {
    if (!SAFE_VALUE.test(raw)) return OVERFLOW_LABEL;
    if (this.seen.has(raw)) return raw;
    if (this.seen.size >= this.max) return OVERFLOW_LABEL;
    this.seen.add(raw);
    return raw;
  }
}
