import { registerDecorator, type ValidationOptions } from 'class-validator';
import { toUpperAscii } from '../../core/validation/query-transforms.js';
import { isCalendarDate } from '../../core/time/calendar-date.js';

/* Validation pieces the options query DTOs share. */

/** ASCII-only upper case (see upperAscii: no Unicode folding of lookalikes). */
export const toUpper = toUpperAscii;

/** A YYYY-MM-DD date that exists (no 2024-02-30). */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyKey: string | symbol): void => {
    registerDecorator({
      name: 'isCalendarDate',
      target: target.constructor,
      propertyName: String(propertyKey),
      options: { message: `${String(propertyKey)} must be a YYYY-MM-DD date that exists`, ...options },
      validator: { validate: isCalendarDate },
    });
  };
}
