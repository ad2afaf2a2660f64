/** class-transformer steps and URL options shared by the environment classes. */
export const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
export const toBool = ({ value }: { value: unknown }): unknown => {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return value;
};
export const HTTP_URL = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };
