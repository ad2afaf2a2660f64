/** What happened. One record per event, written where the event means something. */
export const AUDIT_ACTIONS = [
  'token_issued',
  'auth_failure',
  'permission_denied',
  'access_denied_summary',
  'order_requested',
  'order_accepted',
  'order_rejected',
  'order_not_placed',
  'order_outcome_unknown',
  'order_replayed',
  /** An order write the pre-trade risk gate refused (nothing sent): details {rule, limit, requested}. */
  'order_refused',
  'order_cancel_requested',
  'order_canceled',
  'order_cancel_rejected',
  // Lifecycle writes (issue 15): one record before the call is sent, one with what came of it.
  'order_replace_requested',
  'order_replace_outcome',
  'orders_cancel_all_requested',
  'orders_cancel_all_outcome',
  'position_close_requested',
  'position_close_outcome',
  'positions_close_all_requested',
  'positions_close_all_outcome',
  'option_exercise_requested',
  'option_exercise_outcome',
  /** An order event from Alpaca's trading stream (fill, partial_fill, canceled, expired, replaced, rejected): outcome = the event. */
  'order_event',
  /** An order write refused by the gateway before anything was sent: details.rule names why (`trading_halted`). */
  'order_refused',
  /** An admin halted trading (details: scope, reason, since) or resumed it (details: scope, reason, and the halt that ended). */
  'trading_halted',
  'trading_resumed',
  'api_key_created',
  'api_key_revoked',
  'api_key_roles_changed',
  'api_key_risk_policy_changed',
  /** An operator bound a key to accounts (details: name, accounts) or unbound it (accounts: null). */
  'api_key_accounts_changed',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditActor {
  sub: string | null;
  roles: string[];
  key_id: string | null;
}

/** The fields a caller supplies; the store adds seq, time and the hash chain. */
export interface AuditEntry {
  actor: AuditActor;
  action: AuditAction;
  /** What the action was about, e.g. `order:<client_order_id>` or `route:/api/v1/audit/events`. */
  resource: string;
  outcome: string;
  request_id: string | null;
  client_ip: string | null;
  /**
   * The Alpaca account (the gateway's name for it) of a record of an order, a fill or a refusal;
   * absent on records of anything else (and on records written before accounts existed).
   */
  account?: string;
  /** Context without secrets (never a key, token or password). */
  details: Record<string, unknown>;
}

export interface AuditRecord extends AuditEntry {
  seq: number;
  time: string;
  prev_hash: string;
  /**
   * The HMAC key (AUDIT_HMAC_KEY's kid) this record's hash is keyed with; null (or absent, in
   * records written before keys existed) for a plain SHA-256 link.
   */
  hmac_kid?: string | null;
  /** HMAC-SHA256(key[hmac_kid], prev_hash + canonical JSON of the record without `hash`), or sha256 of the same when unkeyed. */
  hash: string;
}

/** The chain's head at a moment, signed with AUDIT_SIGNING_KEY (Ed25519) and kept outside the records. */
export interface AuditCheckpoint {
  seq: number;
  hash: string;
  time: string;
  /** JWK thumbprint of the signing key's public half. */
  kid: string;
  /** base64 Ed25519 signature over the canonical JSON of {seq, hash, time}. */
  signature: string;
}

export interface AuditQuery {
  since?: string;
  until?: string;
  actor?: string;
  action?: AuditAction;
  /** Records that name this Alpaca account (records naming none never match). */
  account?: string;
  limit: number;
  /** Records after this sequence number. */
  cursor?: number;
}

/** One page of GET /audit/events. */
export interface AuditPage {
  events: AuditRecord[];
  page_info: { has_more: boolean; next_cursor: number | null };
}

export interface VerifyResult {
  ok: boolean;
  records_checked: number;
  /** The first record whose link is broken, and why; null when the chain is whole. */
  first_broken: { seq: number | null; position: number; reason: string } | null;
  last_seq: number;
  last_hash: string | null;
  /** The newest checkpoint signed with the configured key that the records were held against. */
  checkpoint: { seq: number; hash: string; time: string; kid: string } | null;
}

export const GENESIS_HASH = '0'.repeat(64);
