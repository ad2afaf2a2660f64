import type { Request, Response } from 'express';
import type { Clock } from '../time/clock.js';
import type { Ed25519KeyPair } from './ed25519-key.js';
import { contentDigest, signResponse } from './response-signature.js';

type End = Response['end'];

function bodyOf(chunk: unknown, encoding: unknown): Buffer {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return Buffer.alloc(0);
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk);
  if (typeof chunk === 'string')
    return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  // res.end takes strings and bytes only; anything else would be sent as nothing we can digest.
  return Buffer.alloc(0);
}

/**
 * Signs every response whose body is written in one piece (JSON answers and errors, including
 * those of the guards and the global filter): `Content-Digest`, `Date`, `Signature-Input` and
 * `Signature` are set just before the headers go out. Streamed answers (SSE, static files of
 * Swagger UI) have sent their headers before the end and are left unsigned, as are HEAD answers
 * (no body to digest). Installed on each response, first thing, only when RESPONSE_SIGNING_KEY is set.
 */
export function responseSigner(key: Ed25519KeyPair, clock: Clock): (req: Request, res: Response) => void {
  return (req, res) => {
    if (req.method === 'HEAD') return;
    const end = res.end.bind(res) as (...a: unknown[]) => Response;
    res.end = function signedEnd(...args: unknown[]): Response {
      if (!res.headersSent) {
        const now = clock.now();
        const digest = contentDigest(bodyOf(args[0], args[1]));
        const date = new Date(now).toUTCString();
        const requestId = res.getHeader('x-request-id');
        res.setHeader('Content-Digest', digest);
        res.setHeader('Date', date);
        const { signatureInput, signature } = signResponse(
          {
            status: res.statusCode,
            contentDigest: digest,
            requestId: typeof requestId === 'string' ? requestId : '',
            date,
            request: { method: req.method, target: req.originalUrl || req.url },
          },
          key,
          Math.floor(now / 1000),
        );
        res.setHeader('Signature-Input', signatureInput);
        res.setHeader('Signature', signature);
      }
      return end(...args);
    } as End;
  };
}
