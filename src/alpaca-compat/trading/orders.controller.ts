import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
  UseInterceptors,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { WireBody } from '../../core/attribution/wire-body.js';
import { CurrentCaller } from '../../core/identity/auth.decorators.js';
import { Authenticated } from '../../core/identity/authenticated.decorator.js';
import type { Caller } from '../../core/identity/caller.js';
import { OrdersQueryDto } from '../../trading/dto/trading-params.dto.js';
import { OrderCancelService } from '../../trading/orders/order-cancel.service.js';
import { OrderReplaceService } from '../../trading/orders/order-replace.service.js';
import { OrderSubmissionService } from '../../trading/orders/order-submission.service.js';
import { TradingReadsService, tradingAnswer } from '../../trading/trading-reads.service.js';
import { AlpacaRefusalsInterceptor } from './alpaca-refusals.interceptor.js';
import { createOrderDto, replaceOrderDto } from './order-json.js';
import { ClientOrderIdQuery, OneOrderQuery, OrderIdParam } from './trading-face.dto.js';
import { wireMultiStatus } from './trading-wire.js';

/**
 * Alpaca's order operations at Alpaca's paths, served by /api/v1's services: the same validation,
 * audit records, role checks and exactly-once submission. A bot's client_order_id is the
 * idempotency key (as the body's client_order_id is on /api/v1): a repeat with the same body answers
 * the first order without a second submission, another body under it is Alpaca's duplicate-key 422.
 */
@ApiExcludeController()
@UseInterceptors(AlpacaRefusalsInterceptor)
@Controller('v2')
export class AlpacaOrdersController {
  constructor(
    private readonly reads: TradingReadsService,
    private readonly submission: OrderSubmissionService,
    private readonly cancelling: OrderCancelService,
    private readonly replacing: OrderReplaceService,
  ) {}

  @Get('orders')
  @Authenticated('trading:read')
  async list(@Query() q: OrdersQueryDto, @CurrentCaller() caller: Caller): Promise<WireBody> {
    const r = await this.reads.orders(q, caller);
    return new WireBody(r.data, r);
  }

  // Alpaca's path has a literal colon; unescaped, path-to-regexp would read `:by_client_order_id` as a parameter.
  @Get('orders\\:by_client_order_id')
  @Authenticated('trading:read')
  async byClientOrderId(@Query() q: ClientOrderIdQuery, @CurrentCaller() caller: Caller): Promise<WireBody> {
    const r = await this.reads.orderByClientId(q.client_order_id, caller);
    return new WireBody(r.data, r);
  }

  @Get('orders/:order_id')
  @Authenticated('trading:read')
  // The query DTO only refuses nested=true; nothing of it is sent upstream.
  async one(
    @Query() _nested: OneOrderQuery,
    @Param() p: OrderIdParam,
    @CurrentCaller() caller: Caller,
  ): Promise<WireBody> {
    const r = await this.reads.order(p.order_id, caller);
    return new WireBody(r.data, r);
  }

  /**
   * Alpaca answers a placed order with 200, a repeat of it too (the order as it reads now);
   * Idempotent-Replayed says which, as on /api/v1.
   */
  @Post('orders')
  @Authenticated('trading:write')
  @HttpCode(200)
  async submit(
    @Body() body: unknown,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) res: Response,
  ): Promise<WireBody> {
    const dto = await createOrderDto(body);
    const result = await this.submission.submit(dto, undefined, caller);
    res.setHeader('Idempotent-Replayed', String(result.replayed));
    return new WireBody(result.order.value, tradingAnswer(result.order));
  }

  @Patch('orders/:order_id')
  @Authenticated('trading:write')
  async replace(
    @Param() p: OrderIdParam,
    @Body() body: unknown,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) res: Response,
  ): Promise<WireBody> {
    const dto = await replaceOrderDto(body);
    const result = await this.replacing.replace(p.order_id, dto, undefined, caller);
    res.setHeader('Idempotent-Replayed', String(result.replayed));
    return new WireBody(result.order.value, tradingAnswer(result.order));
  }

  /** Alpaca's 204, no body; the headers name the DELETE's provenance. */
  @Delete('orders/:order_id')
  @Authenticated('trading:write')
  @HttpCode(204)
  async cancel(@Param() p: OrderIdParam, @CurrentCaller() caller: Caller): Promise<WireBody> {
    const r = await this.cancelling.cancel(p.order_id, caller);
    return new WireBody(undefined, r);
  }

  /** Alpaca's 207 and its list, one entry per open order; no confirm=true on this face (Alpaca has none). */
  @Delete('orders')
  @Authenticated('trading:write')
  @HttpCode(207)
  async cancelAll(@CurrentCaller() caller: Caller): Promise<WireBody> {
    const r = await this.cancelling.cancelAll(caller);
    return new WireBody(
      r.data.map((e) => wireMultiStatus(e, 'body_if_any')),
      r,
    );
  }
}
