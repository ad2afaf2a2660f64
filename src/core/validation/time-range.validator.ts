import { registerDecorator, type ValidationOptions } from 'class-validator';
import { isValidUpstreamTime } from './time-range.js';

/** An RFC-3339 timestamp or a YYYY-MM-DD date that exists. */
export function IsUpstreamTime(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyKey: string | symbol): void => {
    registerDecorator({
      name: 'isUpstreamTime',
      target: target.constructor,
      propertyName: String(propertyKey),
      options: { message: `${String(propertyKey)} must be an RFC-3339 timestamp or a YYYY-MM-DD date`, ...options },
      validator: { validate: isValidUpstreamTime },
    });
  };
}
