import { z } from 'zod';
import { int, optionalText } from './fields.js';

/** The pre-trade risk gate (src/risk). */
export const riskSection = z
  .object({
    /**
     * The pre-trade risk policies (YAML or JSON), checked for changes as often as the key file
     * (API_KEYS_RELOAD_MS). Unset: no risk rule applies to any order (said at boot).
     */
    RISK_POLICY_FILE: optionalText(),
    /** A quote or trade older than this (by its own timestamp) is no price for a risk rule. */
    RISK_PRICE_MAX_AGE_SECONDS: int(60, 1, 86_400),
  })
  .transform((v) => ({
    risk: {
      /** RISK_POLICY_FILE; undefined: no rule applies. */
      policyFile: v.RISK_POLICY_FILE,
      /** RISK_PRICE_MAX_AGE_SECONDS: an older quote or trade counts as none. */
      priceMaxAgeSeconds: v.RISK_PRICE_MAX_AGE_SECONDS,
    },
  }));
