import { z } from 'zod';
import { readEd25519PrivateKey, type Ed25519KeyPair } from '../../signing/ed25519-key.js';
import { parseTrustProxy, TRUST_PROXY_MESSAGE, type TrustProxySetting } from '../trust-proxy.js';
import { flag, int, matching, parsedWith, Refusal, text, variable } from './fields.js';

/** The HTTP server: where it listens, what requests it takes, which proxies it believes, how it answers. */
export const serverSection = z
  .object({
    PORT: int(3000, 0, 65535),
    HOST: text('0.0.0.0'),
    /**
     * Express `trust proxy`: a hop count, or comma-separated addresses/CIDRs (and the names
     * loopback, linklocal, uniquelocal) of the proxies in front. Unset: X-Forwarded-For is ignored.
     */
    TRUST_PROXY: variable<TrustProxySetting>((t) => parseTrustProxy(t) ?? new Refusal(TRUST_PROXY_MESSAGE), false),
    /** Comma-separated allowed origins; CORS is off when unset. */
    CORS_ORIGINS: matching(
      /^(\*|https?:\/\/[^,\s]+(,https?:\/\/[^,\s]+)*)$/,
      'must be * or a comma-separated list of http(s) origins',
    ),
    /** Request body limit (bytes); larger bodies answer 413 PAYLOAD_TOO_LARGE. */
    BODY_LIMIT_BYTES: int(102400, 1024, 10485760),
    /** Deepest nesting of arrays/objects a JSON body may have; deeper ones are refused before validation. */
    BODY_MAX_DEPTH: int(16, 2, 256),
    /**
     * The Alpaca-compatible face (Alpaca's own paths beside /api/v1, for bots that keep their Alpaca
     * SDK and change only URLs and keys): on by default; false leaves those paths unserved (404).
     */
    ALPACA_FACE: flag(true),
    /** Ed25519 private key, PEM (PKCS#8); when set, responses carry RFC 9421 signatures. */
    RESPONSE_SIGNING_KEY: parsedWith(readEd25519PrivateKey, null),
  })
  .transform((v) => ({
    port: v.PORT,
    host: v.HOST,
    /** Express `trust proxy`: which X-Forwarded-For hops name the client. */
    trustProxy: v.TRUST_PROXY,
    corsOrigins: v.CORS_ORIGINS === undefined ? [] : v.CORS_ORIGINS.split(','),
    bodyLimitBytes: v.BODY_LIMIT_BYTES,
    bodyMaxDepth: v.BODY_MAX_DEPTH,
    /** ALPACA_FACE: Alpaca's own REST paths and stream protocol served beside /api/v1. */
    alpacaFace: v.ALPACA_FACE,
    /** RESPONSE_SIGNING_KEY: responses are signed (RFC 9421) with this Ed25519 key when set. */
    responseSigning: v.RESPONSE_SIGNING_KEY satisfies Ed25519KeyPair | null,
  }));
