import { AppError } from '../errors/app-error.js';
import { compareDecimals } from './decimal-string.js';

/** Both bounds inclusive, as Alpaca's; YYYY-MM-DD dates order correctly as text. */
export function assertOrderedDates(
  lowName: string,
  low: string | undefined,
  highName: string,
  high: string | undefined,
): void {
  if (low === undefined || high === undefined || low <= high) return;
  throw new AppError('INVALID_DATE_RANGE', {
    message: `${lowName} must not be after ${highName}.`,
    details: { [lowName]: low, [highName]: high },
  });
}

/** Strike bounds compared as decimal strings (no floating point). */
export function assertOrderedStrikes(
  lowName: string,
  low: string | undefined,
  highName: string,
  high: string | undefined,
): void {
  if (low === undefined || high === undefined || compareDecimals(low, high) <= 0) return;
  throw new AppError('INVALID_PARAMETER', {
    message: `${lowName} must not be above ${highName}.`,
    details: { [lowName]: low, [highName]: high },
  });
}
