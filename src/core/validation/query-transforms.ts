/* Query strings arrive as text; these turn the well-formed ones into values class-validator checks.
   Anything else is left as it came, so the validator reports it instead of a silent coercion. */

/** "42" or "-3" → number. */
export const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;

/** "true" / "false" → boolean. */
export const toBool = ({ value }: { value: unknown }): unknown => (value === 'true' ? true : value === 'false' ? false : value);
