import { z } from 'zod';
import { flag, int, text } from './fields.js';

/** Who may call: API keys, anonymous access, rate limits per principal, lockouts per client address. */
export const accessSection = z
  .object({
    API_KEYS_FILE: text('./data/api-keys.json'),
    /** How often the API key file is checked for changes (revocations take effect within this). */
    API_KEYS_RELOAD_MS: int(1000, 0, 60000),
    ALLOW_ANONYMOUS: flag(false),
    RATE_LIMIT_ANONYMOUS_PER_HOUR: int(100, 1),
    RATE_LIMIT_AUTHENTICATED_PER_HOUR: int(1000, 1),
    /** premium, trader and admin. */
    RATE_LIMIT_PREMIUM_PER_HOUR: int(5000, 1),
    /** Per principal, per second, on top of the hourly tier. */
    RATE_LIMIT_BURST_PER_SECOND: int(20, 1),
    /** Failed credentials (401) per client address within AUTH_FAILURE_WINDOW_SECONDS before a lockout (403s count towards the rate limit instead). */
    AUTH_MAX_FAILURES: int(10, 1, 1000),
    AUTH_FAILURE_WINDOW_SECONDS: int(300, 1, 86400),
    /** The first lockout's length; each further one within a day doubles it, up to AUTH_LOCKOUT_MAX_SECONDS. */
    AUTH_LOCKOUT_SECONDS: int(900, 1, 86400),
    AUTH_LOCKOUT_MAX_SECONDS: int(86400, 1, 604800),
  })
  .transform((v) => ({
    apiKeysFile: v.API_KEYS_FILE,
    apiKeysReloadMs: v.API_KEYS_RELOAD_MS,
    allowAnonymous: v.ALLOW_ANONYMOUS,
    rateLimits: {
      anonymousPerHour: v.RATE_LIMIT_ANONYMOUS_PER_HOUR,
      authenticatedPerHour: v.RATE_LIMIT_AUTHENTICATED_PER_HOUR,
      premiumPerHour: v.RATE_LIMIT_PREMIUM_PER_HOUR,
      burstPerSecond: v.RATE_LIMIT_BURST_PER_SECOND,
    },
    authLockout: {
      maxFailures: v.AUTH_MAX_FAILURES,
      failureWindowSeconds: v.AUTH_FAILURE_WINDOW_SECONDS,
      lockoutSeconds: v.AUTH_LOCKOUT_SECONDS,
      lockoutMaxSeconds: Math.max(v.AUTH_LOCKOUT_SECONDS, v.AUTH_LOCKOUT_MAX_SECONDS),
    },
  }));
