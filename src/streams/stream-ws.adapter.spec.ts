import { upgradeOriginAllowed } from './stream-ws.adapter.js';

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
