import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentUser } from '../core/identity/auth.decorators.js';
import { Authenticated } from '../core/identity/authenticated.decorator.js';
import type { Principal } from '../core/identity/principal.js';
import { AppError } from '../core/errors/app-error.js';
import { StreamAccess } from './stream-access.service.js';
import { StreamHub } from './hub/stream-hub.service.js';
import {
  CLIENT_CHANNELS,
  OutboundMessage,
  type ChannelLists,
  type OutboundFrame,
  type ClientChannel,
} from './stream-protocol.js';
import type { StreamSink } from './hub/stream-session.js';

/** A comment line now and then, so proxies and load balancers do not close an idle stream. */
const HEARTBEAT_MS = 15_000;
const HEARTBEAT = Buffer.from(': heartbeat\n\n');

class SseSink implements StreamSink {
  readonly transport = 'sse';

  constructor(private readonly res: Response) {}

  send(frame: OutboundFrame, written: () => void): void {
    if (this.res.writableEnded || this.res.destroyed) return written();
    this.res.write(frame.sse(), () => written());
  }

  close(): void {
    if (!this.res.writableEnded) this.res.end();
  }
}

/**
 * The stream as Server-Sent Events (`curl -N`, dashboards): the same messages as the WebSocket,
 * `event:` the type and `data:` the JSON. Authenticated like any route; channels and symbols are
 * checked before the stream starts, so a bad request is an ordinary catalog error answer. Once
 * open, StreamAccess's sweep ends it as it closes a WebSocket: at the token's `exp` or when the API
 * key is revoked, after an `error` event (INVALID_TOKEN / INVALID_API_KEY).
 */
@ApiTags('stream')
@Controller('stream')
export class StreamEventsController {
  constructor(
    private readonly hub: StreamHub,
    private readonly access: StreamAccess,
  ) {}

  @Get('events')
  @Authenticated('market:read', {
    errors: [
      'INVALID_SYMBOL_FORMAT',
      'INVALID_OPTION_SYMBOL',
      'INVALID_PARAMETER',
      'STREAM_SYMBOL_LIMIT',
      'UPSTREAM_STREAM_UNAVAILABLE',
    ],
  })
  @ApiOperation({
    summary:
      "The client stream as Server-Sent Events; channels as comma-separated symbol lists. Option channels need premium; orders=true (order_update events) needs trader or admin. trades also brings the symbols' correction and cancel_error events.",
  })
  @ApiProduces('text/event-stream')
  @ApiQuery({ name: 'quotes', required: false, example: 'AAPL,TSLA' })
  @ApiQuery({ name: 'trades', required: false })
  @ApiQuery({ name: 'bars', required: false })
  @ApiQuery({
    name: 'updated_bars',
    required: false,
    description: 'Minute bars sent again after late trades changed them.',
  })
  @ApiQuery({ name: 'daily_bars', required: false, example: 'SPY' })
  @ApiQuery({ name: 'statuses', required: false, description: 'Trading statuses (halts, resumptions).' })
  @ApiQuery({ name: 'lulds', required: false, description: 'Limit up-limit down price bands.' })
  @ApiQuery({ name: 'option_quotes', required: false, example: 'AAPL240426C00162500' })
  @ApiQuery({ name: 'option_trades', required: false })
  @ApiQuery({
    name: 'orders',
    required: false,
    enum: ['true', 'false'],
    description: "The account's order events (trader, admin).",
  })
  @ApiOkResponse({
    description: 'text/event-stream: connected, authenticated, subscription, then data, gap, dropped and error events.',
  })
  events(
    @Query() query: Record<string, unknown>,
    @CurrentUser() principal: Principal | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): void {
    if (principal === undefined) throw new AppError('AUTHENTICATION_REQUIRED');
    const { lists, orders } = channelLists(query);
    const session = this.hub.open(new SseSink(res), principal.ip);
    // The guard already refused an account the principal may not use (403 ACCOUNT_NOT_ALLOWED).
    session.accountHeader = this.access.accountHeader(req);
    try {
      // Like a WebSocket, the stream ends (INVALID_TOKEN, then the end of the response) when the token expires.
      this.hub.authenticate(session, principal, this.access.tokenExpiryOf(req));
      this.hub.subscribe(session, lists, orders);
    } catch (e: unknown) {
      this.hub.close(session);
      throw e;
    }
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    session.control(OutboundMessage.of({ type: 'connected' }));
    session.control(OutboundMessage.of({ type: 'authenticated', subject: principal.sub, roles: principal.roles }));
    session.control(session.subscriptionMessage());
    const heartbeat = setInterval(() => {
      if (!res.writableEnded) res.write(HEARTBEAT);
    }, HEARTBEAT_MS);
    heartbeat.unref();
    req.on('close', () => {
      clearInterval(heartbeat);
      this.hub.close(session);
    });
  }
}

function channelLists(query: Record<string, unknown>): { lists: ChannelLists; orders: boolean } {
  const lists: ChannelLists = {};
  let orders = false;
  for (const [key, value] of Object.entries(query)) {
    if (key === 'orders') {
      if (value !== 'true' && value !== 'false')
        throw new AppError('INVALID_PARAMETER', {
          message: '"orders" must be true or false.',
          details: { field: 'orders' },
        });
      orders = value === 'true';
      continue;
    }
    if (!(CLIENT_CHANNELS as readonly string[]).includes(key)) {
      throw new AppError('INVALID_PARAMETER', {
        message: `Unknown channel "${key.slice(0, 40)}".`,
        details: { channels: [...CLIENT_CHANNELS, 'orders'] },
      });
    }
    if (typeof value !== 'string' || value === '')
      throw new AppError('INVALID_PARAMETER', {
        message: `"${key}" must be a comma-separated symbol list.`,
        details: { field: key },
      });
    lists[key as ClientChannel] = value.split(',');
  }
  if (Object.keys(lists).length === 0 && !orders) {
    throw new AppError('INVALID_PARAMETER', {
      message: 'Name at least one channel, e.g. ?quotes=AAPL,TSLA or ?orders=true.',
      details: { channels: [...CLIENT_CHANNELS, 'orders'] },
    });
  }
  return { lists, orders };
}
