import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { catchError, type Observable, throwError } from 'rxjs';
import { AppError } from '../../core/errors/app-error.js';
import { UpstreamError } from '../../alpaca/http/upstream.error.js';

/** What Alpaca answers for a client_order_id already taken (docs/alpaca-wire.md "REST refusals"). */
export const DUPLICATE_CLIENT_ORDER_ID = {
  status: 422,
  code: 40010001,
  message: 'client_order_id must be unique',
} as const;

/**
 * An error in Alpaca's words: the face renders its status, code and message as they are (see
 * AlpacaErrorFace), with our catalog code in X-Error-Code.
 */
class AlpacaAnswer extends UpstreamError {}

function numberOr(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) ? v : null;
}

/**
 * The trading services wrap Alpaca's refusals in our catalog (ORDER_REJECTED, POSITION_NOT_FOUND,
 * with upstream_status, upstream_code and upstream_message in the details); a bot written for
 * Alpaca must get them back as Alpaca sent them. A key used with another body (IDEMPOTENCY_CONFLICT)
 * is, to such a bot, a client_order_id Alpaca already holds: Alpaca's 422 for that.
 */
export function asAlpacaAnswer(e: unknown, endpoint: string): unknown {
  if (!(e instanceof AppError) || e instanceof UpstreamError) return e;
  const base = { code: e.code, api: 'trading' as const, endpoint, message: e.message, details: e.details, cause: e };
  if (e.code === 'IDEMPOTENCY_CONFLICT') {
    const { status, code, message } = DUPLICATE_CLIENT_ORDER_ID;
    return new AlpacaAnswer({ ...base, upstreamStatus: status, upstreamCode: code, upstreamMessage: message });
  }
  const status = numberOr(e.details['upstream_status']);
  const message = e.details['upstream_message'];
  if (status === null || status < 400 || status >= 500 || typeof message !== 'string') return e;
  const code = e.details['upstream_code'];
  return new AlpacaAnswer({
    ...base,
    upstreamStatus: status,
    upstreamCode: typeof code === 'number' || typeof code === 'string' ? code : null,
    upstreamMessage: message,
  });
}

/** Applied to the trading face's controllers: every refusal leaves in Alpaca's words where Alpaca gave them. */
@Injectable()
export class AlpacaRefusalsInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request>();
    return next.handle().pipe(catchError((e: unknown) => throwError(() => asAlpacaAnswer(e, req.path))));
  }
}
