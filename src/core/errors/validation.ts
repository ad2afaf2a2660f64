import { ValidationError, ValidationPipe } from '@nestjs/common';
import { MemoizingValidationPipe } from '../validation/memoizing-validation.pipe.js';
import { AppError } from './app-error.js';
import { ERROR_CATALOG, type ErrorCode } from './error-catalog.js';

/**
 * A validator decorator may carry `context: { errorCode }` to say which catalog code its failure
 * means (e.g. INVALID_SYMBOL_FORMAT); anything else is INVALID_PARAMETER.
 */
export interface ErrorCodeContext {
  errorCode: ErrorCode;
}

export function withErrorCode(errorCode: ErrorCode): { context: ErrorCodeContext } {
  return { context: { errorCode } };
}

interface FieldProblem {
  field: string;
  problems: string[];
  value?: unknown;
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && value in ERROR_CATALOG;
}

function flatten(errors: ValidationError[], parent = ''): Array<{ field: string; error: ValidationError }> {
  return errors.flatMap((e) => {
    const field = parent === '' ? e.property : `${parent}.${e.property}`;
    const own = e.constraints === undefined ? [] : [{ field, error: e }];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

function codeOf(error: ValidationError): ErrorCode | undefined {
  for (const ctx of Object.values(error.contexts ?? {})) {
    const code: unknown = (ctx as Partial<ErrorCodeContext>).errorCode;
    if (isErrorCode(code)) return code;
  }
  return undefined;
}

/** Short scalar values are echoed to help the caller; bodies and long strings are not. */
function echo(value: unknown): unknown {
  if (typeof value === 'string') return value.length <= 64 ? value : undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return undefined;
}

/** Turns class-validator failures into one catalog error listing every field at fault. */
export function validationErrorToAppError(errors: ValidationError[]): AppError {
  const flat = flatten(errors);
  const code = flat.map(({ error }) => codeOf(error)).find((c) => c !== undefined) ?? 'INVALID_PARAMETER';
  const fields: FieldProblem[] = flat.map(({ field, error }) => ({
    field,
    problems: Object.values(error.constraints ?? {}),
    value: echo(error.value),
  }));
  const first = fields[0];
  const message = first === undefined ? undefined : `${first.field}: ${first.problems.join('; ')}`;
  return new AppError(code, { message, details: { fields } });
}

/**
 * The global pipe: whitelist, reject unknown fields, transform into DTO instances; outcomes for
 * repeated path/query inputs of @PureValidation() DTOs are reused (MemoizingValidationPipe).
 */
export function createValidationPipe(): ValidationPipe {
  return new MemoizingValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: true },
    exceptionFactory: validationErrorToAppError,
  });
}
