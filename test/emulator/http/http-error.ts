/**
 * An Alpaca-style error answer thrown by route handlers and validators; the dispatcher turns it
 * into the HTTP response. Bodies follow §5.1: `{code?, message}`.
 */
export class EmulatorHttpError extends Error {
  constructor(
    readonly status: number,
    /** §7.16: some errors carry context beside code and message (available, existing_qty...). */
    readonly body: { code?: number; message: string; [context: string]: unknown },
  ) {
    super(body.message);
  }
}

/** Market-data 400: MD-SPEC has no error schema; observed bodies carry `message` only. */
export function badRequest(message: string): EmulatorHttpError {
  return new EmulatorHttpError(400, { message });
}

/** Trading-API parameter error: 422 with code 40010001, the code TR-SPEC pairs with 422. */
export function invalidTradingParam(message: string): EmulatorHttpError {
  return new EmulatorHttpError(422, { code: 40010001, message });
}

/** Order validation failure (§4.3, §7.16). */
export function orderRejected(message: string): EmulatorHttpError {
  return new EmulatorHttpError(422, { code: 42210000, message });
}

export function tradingNotFound(message: string): EmulatorHttpError {
  return new EmulatorHttpError(404, { code: 40410000, message });
}
