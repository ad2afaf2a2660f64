import 'reflect-metadata';
import { AppError } from '../../core/errors/app-error.js';
import { UpstreamError } from '../../alpaca/http/upstream.error.js';
import { asAlpacaAnswer } from './alpaca-refusals.interceptor.js';
import { amountText, createOrderDto, orderMembers, replaceOrderDto } from './order-json.js';

describe("Alpaca's order JSON on the face", () => {
  it('writes a JSON number as the decimal it denotes', () => {
    expect(amountText(2, 'qty')).toBe('2');
    expect(amountText(150.25, 'limit_price')).toBe('150.25');
    expect(amountText(0.000001, 'qty')).toBe('0.000001');
    expect(amountText(123456789.123456, 'qty')).toBe('123456789.123456');
  });

  it('refuses a number whose digits a double cannot carry, or that prints with an exponent', () => {
    expect(() => amountText(0.12345678901234568, 'qty')).toThrow(/decimal string/);
    expect(() => amountText(1e21, 'notional')).toThrow(AppError);
    expect(() => amountText(1e-7, 'qty')).toThrow(AppError);
  });

  it('leaves out null members and an empty order_class, nested exits and legs included; strings stay as sent', () => {
    expect(
      orderMembers({
        symbol: 'AAPL',
        qty: '2.50',
        side: 'buy',
        type: 'limit',
        time_in_force: 'day',
        limit_price: 150,
        stop_price: null,
        order_class: '',
        take_profit: { limit_price: 160.5 },
        stop_loss: { stop_price: '140', limit_price: null },
      }),
    ).toEqual({
      symbol: 'AAPL',
      qty: '2.50',
      side: 'buy',
      type: 'limit',
      time_in_force: 'day',
      limit_price: '150',
      take_profit: { limit_price: '160.5' },
      stop_loss: { stop_price: '140' },
    });
    expect(orderMembers({ legs: [{ symbol: 'AAPL250620C00100000', ratio_qty: 1, side: 'buy' }] })).toEqual({
      legs: [{ symbol: 'AAPL250620C00100000', ratio_qty: '1', side: 'buy' }],
    });
  });

  it("validates with /api/v1's rules and pipe: unknown members and rule breaches refused", async () => {
    const dto = await createOrderDto({
      symbol: 'AAPL',
      qty: 1,
      side: 'buy',
      type: 'limit',
      time_in_force: 'gtc',
      limit_price: '150',
      client_order_id: 'k-1',
    });
    expect({ ...dto }).toEqual({
      symbol: 'AAPL',
      qty: '1',
      side: 'buy',
      type: 'limit',
      time_in_force: 'gtc',
      limit_price: '150',
      client_order_id: 'k-1',
    });
    await expect(
      createOrderDto({
        symbol: 'AAPL',
        qty: '1',
        side: 'buy',
        type: 'market',
        time_in_force: 'day',
        advanced_instructions: { algorithm: 'DMA' },
      }),
    ).rejects.toMatchObject({ code: 'INVALID_PARAMETER' });
    await expect(createOrderDto([])).rejects.toMatchObject({ code: 'INVALID_PARAMETER' });
    await expect(replaceOrderDto({ limit_price: 151.5, client_order_id: 'r-1' })).resolves.toMatchObject({
      limit_price: '151.5',
      client_order_id: 'r-1',
    });
    await expect(replaceOrderDto({ notional: '10' })).rejects.toMatchObject({ code: 'INVALID_PARAMETER' });
  });
});

describe("refusals in Alpaca's words", () => {
  const endpoint = '/v2/orders';

  it('a wrapped Alpaca refusal gets back its status, code and message; our catalog code stays', () => {
    const wrapped = new AppError('ORDER_REJECTED', {
      details: { upstream_status: 403, upstream_code: 40310000, upstream_message: 'insufficient buying power' },
    });
    const answer = asAlpacaAnswer(wrapped, endpoint);
    expect(answer).toBeInstanceOf(UpstreamError);
    expect(answer).toMatchObject({
      code: 'ORDER_REJECTED',
      upstreamStatus: 403,
      upstreamCode: 40310000,
      upstreamMessage: 'insufficient buying power',
    });
  });

  it("a client_order_id used with another body is Alpaca's duplicate-key 422", () => {
    expect(asAlpacaAnswer(new AppError('IDEMPOTENCY_CONFLICT'), endpoint)).toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
      upstreamStatus: 422,
      upstreamCode: 40010001,
      upstreamMessage: 'client_order_id must be unique',
    });
  });

  it("leaves the gateway's own errors, Alpaca's failures (5xx) and upstream errors as they are", () => {
    const own = new AppError('INVALID_PARAMETER');
    const outage = new AppError('ORDER_OUTCOME_UNKNOWN', { details: { upstream_status: 503, upstream_message: 'x' } });
    const upstream = new UpstreamError({ code: 'ORDER_NOT_FOUND', api: 'trading', endpoint, upstreamStatus: 404 });
    expect(asAlpacaAnswer(own, endpoint)).toBe(own);
    expect(asAlpacaAnswer(outage, endpoint)).toBe(outage);
    expect(asAlpacaAnswer(upstream, endpoint)).toBe(upstream);
  });
});
