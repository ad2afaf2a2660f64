import type { AuditService } from '../audit/audit.service.js';
import type { AuditAction } from '../audit/audit.types.js';
import type { Principal } from '../core/identity/principal.js';
import { redactedUrl } from '../core/http/redacted-url.js';

/** One refused request, in bounded fields only (a route template, a truncated path). */
export interface Denial {
  client: string;
  code: string;
  action: Extract<AuditAction, 'auth_failure' | 'permission_denied'>;
  /** `GET /api/v1/stocks/:symbol/quote`, or the method with `unmatched`. */
  route: string;
  path: string;
  requestId: string | null;
  principal: Principal | undefined;
  details: Record<string, unknown>;
}

interface ClientWindow {
  firstAt: string;
  lastAt: string;
  counts: Map<string, number>;
  /** Codes already recorded one by one in this window. */
  recorded: Set<string>;
  suppressed: number;
  routes: Map<string, number>;
  keyIds: Set<string>;
  subjects: Set<string>;
}

export const MAX_AUDITED_PATH = 200;
/** Per client summary: at most this many distinct routes, key ids and subjects are named. */
const MAX_NAMED = 10;
/** Clients tracked per window; past that they share one `other` entry. */
const MAX_CLIENTS = 5000;
const OTHER_CLIENTS = 'other';

function addBounded(set: Set<string>, value: string | null): void {
  if (value !== null && set.size < MAX_NAMED) set.add(value);
}

/**
 * Refusals audited in aggregate: per client address and window (a minute), the first refusal of
 * each code is recorded at once, with its details; the rest only count, and go into one
 * `access_denied_summary` record per client when the window closes (or at shutdown). A flood of
 * bad credentials thus costs a handful of audit writes instead of one fsync each, and an order
 * never queues behind them. Not awaited by the refused request: a refusal needs no durable proof
 * before its answer, unlike an order.
 */
export class DenialAuditLog {
  private window = new Map<string, ClientWindow>();

  constructor(
    private readonly audit: AuditService,
    private readonly now: () => Date,
  ) {}

  note(d: Denial): void {
    const at = this.now().toISOString();
    const entry = this.entryFor(d.client, at);
    entry.lastAt = at;
    entry.counts.set(d.code, (entry.counts.get(d.code) ?? 0) + 1);
    if (entry.routes.has(d.route) || entry.routes.size < MAX_NAMED)
      entry.routes.set(d.route, (entry.routes.get(d.route) ?? 0) + 1);
    addBounded(
      entry.keyIds,
      d.principal?.keyId ?? (typeof d.details['key_id'] === 'string' ? d.details['key_id'] : null),
    );
    addBounded(entry.subjects, d.principal?.sub ?? null);
    if (entry.recorded.has(d.code)) {
      entry.suppressed += 1;
      return;
    }
    entry.recorded.add(d.code);
    // The query may carry credentials (?api_key=, ?token=): redacted before the record exists.
    const path = redactedUrl(d.path);
    void this.audit.recordBestEffort({
      action: d.action,
      resource: `route:${d.route}`,
      outcome: d.code,
      principal: d.principal,
      requestId: d.requestId,
      clientIp: d.client,
      details: { ...d.details, path: path.slice(0, MAX_AUDITED_PATH), path_truncated: path.length > MAX_AUDITED_PATH },
    });
  }

  /** Writes one summary per client that had refusals beyond the ones recorded singly; starts a new window. */
  async flush(): Promise<void> {
    const closing = this.window;
    this.window = new Map();
    const writes: Array<Promise<void>> = [];
    for (const [client, w] of closing) {
      if (w.suppressed === 0) continue;
      writes.push(
        this.audit.recordBestEffort({
          action: 'access_denied_summary',
          resource: `client:${client}`,
          outcome: 'refused',
          clientIp: client === OTHER_CLIENTS ? null : client,
          requestId: null,
          details: {
            from: w.firstAt,
            to: w.lastAt,
            refusals: Object.fromEntries(w.counts),
            not_recorded_singly: w.suppressed,
            routes: Object.fromEntries(w.routes),
            key_ids: [...w.keyIds],
            subjects: [...w.subjects],
          },
        }),
      );
    }
    await Promise.all(writes);
  }

  private entryFor(client: string, at: string): ClientWindow {
    const key = this.window.has(client) || this.window.size < MAX_CLIENTS ? client : OTHER_CLIENTS;
    let entry = this.window.get(key);
    if (entry === undefined) {
      entry = {
        firstAt: at,
        lastAt: at,
        counts: new Map(),
        recorded: new Set(),
        suppressed: 0,
        routes: new Map(),
        keyIds: new Set(),
        subjects: new Set(),
      };
      this.window.set(key, entry);
    }
    return entry;
  }
}
