import { AppError } from '../../core/errors/app-error.js';
import { CLIENT_CHANNELS, type ClientChannel } from '../../streams/stream-protocol.js';
import {
  ALPACA_ERRORS,
  alpacaErrorOf,
  alpacaErrorOfAppError,
  parseFaceFrame,
  subscriptionAck,
} from './alpaca-stream-protocol.js';

const subscription = (lists: Partial<Record<ClientChannel, string[]>>): Record<ClientChannel, Set<string>> =>
  Object.fromEntries(CLIENT_CHANNELS.map((c) => [c, new Set(lists[c])])) as Record<ClientChannel, Set<string>>;

describe('parseFaceFrame', () => {
  it("auth and (un)subscribe frames, Alpaca channels mapped onto the hub's per endpoint", () => {
    expect(parseFaceFrame({ action: 'auth', key: 'id', secret: 'oa_x' }, 'stocks')).toEqual({
      action: 'auth',
      key: 'id',
      secret: 'oa_x',
    });
    expect(
      parseFaceFrame({ action: 'subscribe', trades: ['AAPL'], quotes: ['MSFT'], bars: ['SPY'] }, 'stocks'),
    ).toEqual({
      action: 'subscribe',
      lists: { trades: ['AAPL'], quotes: ['MSFT'], bars: ['SPY'] },
    });
    expect(parseFaceFrame({ action: 'unsubscribe', trades: ['X'], quotes: ['Y'] }, 'options')).toEqual({
      action: 'unsubscribe',
      lists: { option_trades: ['X'], option_quotes: ['Y'] },
    });
    expect(
      parseFaceFrame(
        { action: 'subscribe', updatedBars: ['A'], dailyBars: ['B'], statuses: ['C'], lulds: ['D'] },
        'stocks',
      ),
    ).toEqual({
      action: 'subscribe',
      lists: { updated_bars: ['A'], daily_bars: ['B'], statuses: ['C'], lulds: ['D'] },
    });
  });

  it('what SDKs send beside: nil and empty channels, corrections and cancelErrors (implied by trades) are accepted and ignored', () => {
    expect(
      parseFaceFrame(
        {
          action: 'subscribe',
          trades: ['AAPL'],
          quotes: null,
          bars: [],
          news: [],
          corrections: ['AAPL'],
          cancelErrors: ['AAPL'],
        },
        'stocks',
      ),
    ).toEqual({
      action: 'subscribe',
      lists: { trades: ['AAPL'] },
    });
  });

  it.each([
    ['not an object', 'text', ALPACA_ERRORS.invalidSyntax],
    [
      "unknown action (the trading stream's authenticate)",
      { action: 'authenticate', data: {} },
      ALPACA_ERRORS.invalidSyntax,
    ],
    ['auth without a secret', { action: 'auth', key: 'id' }, ALPACA_ERRORS.invalidSyntax],
    ['an unknown channel', { action: 'subscribe', orderbook: ['AAPL'] }, ALPACA_ERRORS.invalidSyntax],
    ['no channel with symbols', { action: 'subscribe', trades: [] }, ALPACA_ERRORS.invalidSyntax],
    ['a list of non-strings', { action: 'subscribe', trades: [1] }, ALPACA_ERRORS.invalidSyntax],
    [
      'a channel the hub does not carry',
      { action: 'subscribe', trades: ['AAPL'], imbalances: ['AAPL'] },
      ALPACA_ERRORS.invalidSubscribeAction,
    ],
    ['news on the stock stream', { action: 'subscribe', news: ['AAPL'] }, ALPACA_ERRORS.invalidSubscribeAction],
    ['every symbol, on statuses', { action: 'subscribe', statuses: ['*'] }, ALPACA_ERRORS.symbolLimit],
    ['every symbol, on stocks', { action: 'subscribe', bars: ['*'] }, ALPACA_ERRORS.symbolLimit],
  ])("%s → Alpaca's error", (_name, frame, error) => {
    expect(parseFaceFrame(frame, 'stocks')).toEqual({ action: 'error', error });
  });

  it("options: bars are not a channel there (410); `*` on quotes is Alpaca's 413; unsubscribing `*` removes nothing", () => {
    for (const channel of ['bars', 'updatedBars', 'dailyBars', 'statuses', 'lulds']) {
      expect(parseFaceFrame({ action: 'subscribe', [channel]: ['X'] }, 'options')).toEqual({
        action: 'error',
        error: ALPACA_ERRORS.invalidSubscribeAction,
      });
    }
    expect(parseFaceFrame({ action: 'subscribe', quotes: ['*'] }, 'options')).toEqual({
      action: 'error',
      error: ALPACA_ERRORS.starOptionQuotes,
    });
    expect(parseFaceFrame({ action: 'unsubscribe', quotes: ['*', 'X'] }, 'options')).toEqual({
      action: 'unsubscribe',
      lists: { option_quotes: ['X'] },
    });
  });
});

describe('alpacaErrorOf', () => {
  it("maps the catalog onto Alpaca's codes", () => {
    expect(alpacaErrorOfAppError(new AppError('INSUFFICIENT_PERMISSIONS'))).toBe(ALPACA_ERRORS.invalidSubscribeAction);
    expect(alpacaErrorOfAppError(new AppError('STREAM_SYMBOL_LIMIT'))).toBe(ALPACA_ERRORS.symbolLimit);
    expect(alpacaErrorOfAppError(new AppError('INVALID_SYMBOL_FORMAT'))).toBe(ALPACA_ERRORS.invalidSyntax);
    expect(alpacaErrorOfAppError(new AppError('INVALID_API_KEY'))).toBe(ALPACA_ERRORS.authFailed);
    expect(
      alpacaErrorOfAppError(new AppError('RATE_LIMIT_EXCEEDED', { details: { reason: 'stream_connections' } })),
    ).toBe(ALPACA_ERRORS.connectionLimit);
    expect(alpacaErrorOfAppError(new AppError('RATE_LIMIT_EXCEEDED', { details: { reason: 'locked_out' } }))).toBe(
      ALPACA_ERRORS.authFailed,
    );
    expect(alpacaErrorOf('UPSTREAM_STREAM_UNAVAILABLE')).toBe(ALPACA_ERRORS.internal);
  });
});

describe('subscriptionAck', () => {
  it("this session's symbols on every channel of the endpoint, `T` first, `[]` when empty; corrections and cancelErrors are its trades", () => {
    const stocks = subscriptionAck(
      'stocks',
      subscription({
        quotes: ['AAPL'],
        trades: ['MSFT'],
        daily_bars: ['VOO'],
        statuses: ['AAPL', 'MSFT'],
        option_quotes: ['AAPL240426C00162500'],
      }),
    );
    expect(stocks.json).toBe(
      '{"type":"alpaca","message":{"T":"subscription","trades":["MSFT"],"quotes":["AAPL"],"bars":[],"updatedBars":[],"dailyBars":["VOO"],"statuses":["AAPL","MSFT"],"lulds":[],"corrections":["MSFT"],"cancelErrors":["MSFT"]}}',
    );
    expect(
      subscriptionAck('options', subscription({ quotes: ['AAPL'], option_quotes: ['X'] })).body['message'],
    ).toEqual({
      T: 'subscription',
      trades: [],
      quotes: ['X'],
    });
  });
});
