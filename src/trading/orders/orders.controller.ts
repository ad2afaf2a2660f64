import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentCaller } from '../../core/identity/auth.decorators.js';
import { Authenticated } from '../../core/identity/authenticated.decorator.js';
import type { Caller } from '../../core/identity/caller.js';
import type { Attributed } from '../../core/attribution/provenance.js';
import { ApiEnvelope } from '../../core/attribution/api-envelope.decorator.js';
import type { TradingObject } from '../../alpaca/trading/trading.models.js';
import { CreateOrderDto } from '../dto/create-order.dto.js';
import { OrderIdParamDto, OrdersQueryDto } from '../dto/trading-params.dto.js';
import { ReplaceOrderDto } from '../dto/replace-order.dto.js';
import { BulkConfirmationQueryDto } from '../dto/position-params.dto.js';
import { BulkCancelEntryDto, CancelResultDto, OrderDto } from '../dto/trading-responses.dto.js';
import { OrderCancelService, type CancelResult } from './order-cancel.service.js';
import { OrderReplaceService } from './order-replace.service.js';
import { OrderSubmissionService } from './order-submission.service.js';
import { TradingReadsService, tradingAnswer } from '../trading-reads.service.js';

@ApiTags('trading')
@Controller('orders')
export class OrdersController {
  constructor(
    private readonly reads: TradingReadsService,
    private readonly submission: OrderSubmissionService,
    private readonly cancelling: OrderCancelService,
    private readonly replacing: OrderReplaceService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Orders, filtered like Alpaca (status, limit 1..500, after, until, direction, symbols).' })
  @ApiEnvelope(OrderDto)
  @Authenticated('trading:read', { errors: ['INVALID_DATE_RANGE'], upstream: true })
  list(@Query() q: OrdersQueryDto, @CurrentCaller() caller: Caller): Promise<Attributed<TradingObject[]>> {
    return this.reads.orders(q, caller);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One order by id.' })
  @ApiEnvelope(OrderDto)
  @Authenticated('trading:read', { errors: ['ORDER_NOT_FOUND'], upstream: true })
  one(@Param() p: OrderIdParamDto, @CurrentCaller() caller: Caller): Promise<Attributed<TradingObject>> {
    return this.reads.order(p.id, caller);
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Places an order exactly once. 201 new order; 200 when it repeats an earlier submission with the same key and body.',
    description:
      "The Idempotency-Key header (or client_order_id) becomes Alpaca's client_order_id; without one the gateway generates it and returns it " +
      'in the Idempotency-Key response header. Never retried by the gateway: on a lost answer the order is looked up; 503 with ' +
      'details.order_placed=false means nothing was placed, 504 ORDER_OUTCOME_UNKNOWN means resubmit with the same key (never a new one). ' +
      "Before anything is sent the order passes the caller's risk policy (RISK_POLICY_FILE): a breach is 422 RISK_LIMIT_EXCEEDED with " +
      'details {rule, limit, requested}, nothing sent, and the key free again; a repeat of a key already answered is not checked again.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: '1-128 characters of A-Z a-z 0-9 . _ : -' })
  @ApiEnvelope(OrderDto, '201/200: the order.')
  @Authenticated('trading:write', {
    errors: [
      'IDEMPOTENCY_CONFLICT',
      'ORDER_REJECTED',
      'RISK_LIMIT_EXCEEDED',
      'TRADING_HALTED',
      'ORDER_OUTCOME_UNKNOWN',
      'AUDIT_UNAVAILABLE',
    ],
    upstream: true,
  })
  async create(
    @Body() body: CreateOrderDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Attributed<TradingObject>> {
    const result = await this.submission.submit(body, idempotencyKey, caller);
    res.setHeader('Idempotency-Key', result.clientOrderId);
    res.setHeader('Idempotent-Replayed', String(result.replayed));
    if (result.replayed) res.status(200);
    return tradingAnswer(result.order);
  }

  @Delete(':id')
  @ApiOperation({
    summary:
      "Requests cancellation of an order (sent once, audited). Never cached; metadata names the DELETE's upstream request id.",
  })
  @ApiEnvelope(CancelResultDto)
  @Authenticated('trading:write', {
    errors: ['ORDER_NOT_FOUND', 'ORDER_REJECTED', 'AUDIT_UNAVAILABLE'],
    upstream: true,
  })
  cancel(@Param() p: OrderIdParamDto, @CurrentCaller() caller: Caller): Promise<Attributed<CancelResult>> {
    return this.cancelling.cancel(p.id, caller);
  }

  @Delete()
  @ApiOperation({
    summary:
      'Cancels every open order (sent once, audited): one entry per order as Alpaca reported it (its 207 Multi-Status list). Needs ?confirm=true.',
    description:
      "Without confirm=true: 400 CONFIRMATION_REQUIRED, nothing sent. Only this exact path: /orders/ (trailing slash) is 404. Each entry: id, status (the HTTP status of that order's cancel), body (Alpaca's error body when refused, else what Alpaca sent or null), accepted (status is 2xx).",
  })
  @ApiEnvelope(BulkCancelEntryDto)
  @Authenticated('trading:write', { errors: ['CONFIRMATION_REQUIRED', 'AUDIT_UNAVAILABLE'], upstream: true })
  // The DTO only validates the confirmation; nothing of it is sent upstream.
  cancelAll(
    @Query() _confirm: BulkConfirmationQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<Attributed<TradingObject[]>> {
    return this.cancelling.cancelAll(caller);
  }

  @Patch(':id')
  @ApiOperation({
    summary:
      'Replaces an order (qty, limit_price, stop_price, trail, time_in_force) exactly once; answers the new order.',
    description:
      "The Idempotency-Key header (or client_order_id) becomes the new order's client_order_id; a repeat with the same key and body answers the same " +
      'new order (Idempotent-Replayed: true), another body under that key is 409. Never retried: a lost answer is reconciled from Alpaca; 503 with ' +
      'details.order_replaced=false means nothing changed, 504 ORDER_OUTCOME_UNKNOWN means repeat with the same key.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: '1-128 characters of A-Z a-z 0-9 . _ : -' })
  @ApiEnvelope(OrderDto, 'The new order (its `replaces` names the old one).')
  @Authenticated('trading:write', {
    errors: [
      'ORDER_NOT_FOUND',
      'IDEMPOTENCY_CONFLICT',
      'ORDER_REJECTED',
      'RISK_LIMIT_EXCEEDED',
      'TRADING_HALTED',
      'ORDER_OUTCOME_UNKNOWN',
      'AUDIT_UNAVAILABLE',
    ],
    upstream: true,
  })
  async replace(
    @Param() p: OrderIdParamDto,
    @Body() body: ReplaceOrderDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Attributed<TradingObject>> {
    const result = await this.replacing.replace(p.id, body, idempotencyKey, caller);
    res.setHeader('Idempotency-Key', result.clientOrderId);
    res.setHeader('Idempotent-Replayed', String(result.replayed));
    return tradingAnswer(result.order);
  }
}
