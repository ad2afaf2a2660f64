import { parseTrustProxy } from './trust-proxy.js';

describe('parseTrustProxy', () => {
  it('unset and 0 trust no proxy', () => {
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy('0')).toBe(false);
  });

  it('a hop count', () => {
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('17')).toBeNull();
  });

  it('addresses, CIDRs and named ranges', () => {
    expect(parseTrustProxy('10.0.0.0/8, 192.168.1.7,loopback, fd00::/8')).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      'loopback',
      'fd00::/8',
    ]);
  });

  it.each(['true', 'all', '10.0.0.0/33', '::1/129', '10.0.0.0/8/1', '10.0.0', '', ' , '])('refuses %p', (raw) => {
    expect(parseTrustProxy(raw)).toBeNull();
  });
});
