import { z } from 'zod';
import { readEd25519PrivateKey } from '../../signing/ed25519-key.js';
import { parseHmacKey, parsePreviousHmacKeys, productionHmacKeyProblem } from '../audit-hmac-keys.js';
import { addProblem, ALWAYS, int, optionalText, parsedWith } from './fields.js';

/** The audit trail's keys and how often its head is checkpointed. */
export const auditSection = z
  .object({
    /** `production` makes AUDIT_HMAC_KEY required. */
    NODE_ENV: optionalText(),
    /** The audit chain's HMAC key: `kid:secret` or a bare secret (kid `default`), secret ≥ 32 characters. */
    AUDIT_HMAC_KEY: parsedWith(parseHmacKey, null),
    /** Older HMAC keys (`kid:secret,...`) that still verify the records they keyed, after a rotation. */
    AUDIT_HMAC_PREVIOUS_KEYS: parsedWith(parsePreviousHmacKeys, undefined),
    /** Ed25519 private key (PEM, PKCS#8) that signs checkpoints of the audit chain's head. */
    AUDIT_SIGNING_KEY: parsedWith(readEd25519PrivateKey, null),
    /** A checkpoint after this many records written by this instance... */
    AUDIT_CHECKPOINT_EVERY: int(100, 1, 1_000_000),
    /** ...or after this many seconds when the chain has grown since the last one (and at shutdown). */
    AUDIT_CHECKPOINT_SECONDS: int(60, 1, 86_400),
  })
  .superRefine((v, ctx) => {
    // A refused AUDIT_HMAC_KEY counts as set: its own problem is the one reported.
    const unkeyed = productionHmacKeyProblem({
      NODE_ENV: v.NODE_ENV,
      AUDIT_HMAC_KEY: v.AUDIT_HMAC_KEY === null ? undefined : 'set',
    });
    if (unkeyed !== null) addProblem(ctx, 'rule', unkeyed);
  }, ALWAYS)
  .transform((v) => ({
    /** Keys of the audit trail and how often its head is checkpointed. */
    audit: {
      /** AUDIT_HMAC_KEY, parsed; null keeps the plain SHA-256 chain (refused in production). */
      hmacKey: v.AUDIT_HMAC_KEY,
      previousHmacKeys: v.AUDIT_HMAC_PREVIOUS_KEYS ?? [],
      /** AUDIT_SIGNING_KEY: signs checkpoints of the chain's head. */
      signingKey: v.AUDIT_SIGNING_KEY,
      checkpointEvery: v.AUDIT_CHECKPOINT_EVERY,
      checkpointSeconds: v.AUDIT_CHECKPOINT_SECONDS,
    },
  }));
