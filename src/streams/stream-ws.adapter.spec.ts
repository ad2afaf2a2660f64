import { routeUpgrade, upgradeOriginAllowed } from './stream-ws.adapter.js';

describe('upgradeOriginAllowed', () => {
  const listed = ['https://app.example.com', 'https://desk.example.com/'];

  it('lets everything in when CORS_ORIGINS is unset or *', () => {
    expect(upgradeOriginAllowed('https://evil.example.net', [])).toBe(true);
    expect(upgradeOriginAllowed('https://evil.example.net', ['*'])).toBe(true);
  });

  it('lets in a listed origin (case and trailing slash aside) and requests without an Origin (not a browser)', () => {
    expect(upgradeOriginAllowed('https://APP.example.com', listed)).toBe(true);
    expect(upgradeOriginAllowed('https://desk.example.com', listed)).toBe(true);
    expect(upgradeOriginAllowed(undefined, listed)).toBe(true);
  });

  it('refuses any other origin, look-alikes and the opaque "null" origin included', () => {
    expect(upgradeOriginAllowed('https://evil.example.net', listed)).toBe(false);
    expect(upgradeOriginAllowed('https://app.example.com.evil.net', listed)).toBe(false);
    expect(upgradeOriginAllowed('http://app.example.com', listed)).toBe(false);
    expect(upgradeOriginAllowed('null', listed)).toBe(false);
  });
});

describe('routeUpgrade', () => {
  const servers = [
    { path: '/api/v1/stream' },
    { path: '/v2/*' },
    { path: '/v2/iex' },
    { path: '/v1beta1/*' },
    { path: '/stream' },
  ];

  it('an exact path first, else the /* family that covers it, else none', () => {
    expect(routeUpgrade('/v2/iex', servers)).toEqual({ path: '/v2/iex' });
    expect(routeUpgrade('/v2/sip', servers)).toEqual({ path: '/v2/*' });
    expect(routeUpgrade('/v1beta1/news', servers)).toEqual({ path: '/v1beta1/*' });
    expect(routeUpgrade('/api/v1/stream', servers)).toEqual({ path: '/api/v1/stream' });
    for (const none of ['/v2', '/v2/', '/v3/stocks/xetr', '/stream/x', '/api/v1/stream/events'])
      expect(routeUpgrade(none, servers)).toBeUndefined();
  });
});
