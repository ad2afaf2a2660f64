import type { Response } from 'express';
import type { AppError } from '../../core/errors/app-error.js';
import type { ErrorFace } from '../../core/errors/global-exception.filter.js';
import { isAlpacaFacePath, isAlpacaTradingPath } from '../../core/http/face-paths.js';
import { pathOf } from '../../core/http/request-path.js';
import { UpstreamError } from '../../alpaca/http/upstream.error.js';

/** Alpaca's error codes are the HTTP status followed by 10000 (`40310000`: forbidden). */
export function alpacaErrorCode(status: number): number {
  return status * 100_000 + 10_000;
}

/**
 * Where Alpaca answers a refusal with a status other than ours: a request it cannot accept is 422
 * on the trading host (Alpaca's order and parameter refusals) and 400 on the market-data host.
 */
function alpacaStatus(status: number, path: string): number {
  if (status === 400 && isAlpacaTradingPath(path)) return 422;
  return status;
}

/**
 * Errors on the face's paths in Alpaca's body, `{"code": <number>, "message": "…"}`, so that the
 * SDKs' own error handling works. A refusal Alpaca itself sent (an order it rejected, a resource it
 * does not have) passes through with Alpaca's status, code and message; the gateway's own (bad
 * credentials, roles, limits, an upstream outage) get the status Alpaca would use and a code made
 * from it. X-Error-Code (our catalog code) and Retry-After are already on the response.
 */
export class AlpacaErrorFace implements ErrorFace {
  serves(path: string): boolean {
    return isAlpacaFacePath(path);
  }

  render(error: AppError, status: number, res: Response): void {
    const passed = passedThrough(error);
    if (passed !== null) {
      res.status(passed.status).json({ code: passed.code, message: passed.message });
      return;
    }
    const path = pathOf(res.req);
    const answered = alpacaStatus(status, path);
    // A path of Alpaca's the face does not serve (crypto, forex, fixed income, …) says so, in Alpaca's body.
    const message =
      error.code === 'ROUTE_NOT_FOUND' && status === 404
        ? `${path.slice(0, 120)} is not served by this gateway (${error.message})`
        : error.message;
    res.status(answered).json({ code: alpacaErrorCode(answered), message });
  }
}

/**
 * Alpaca's own refusal of the client's request (4xx other than 401 and 429, which are about the
 * gateway's Alpaca credentials and its budget, both the gateway's business), as Alpaca sent it.
 */
function passedThrough(error: AppError): { status: number; code: number | string; message: string } | null {
  if (!(error instanceof UpstreamError)) return null;
  const status = error.upstreamStatus;
  if (status === null || status < 400 || status >= 500 || status === 401 || status === 429) return null;
  return {
    status,
    code: error.upstreamCode ?? alpacaErrorCode(status),
    message: error.upstreamMessage ?? error.message,
  };
}
