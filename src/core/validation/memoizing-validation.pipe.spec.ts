import 'reflect-metadata';
import type { ArgumentMetadata } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches, registerDecorator } from 'class-validator';
import { AppError } from '../errors/app-error.js';
import { createValidationPipe } from '../errors/validation.js';
import { PureValidation } from './memoizing-validation.pipe.js';

/** Counts how often class-validator really runs on a property. */
let checks = 0;
function Counted(): PropertyDecorator {
  return (target, propertyKey) => {
    registerDecorator({
      name: 'counted',
      target: target.constructor,
      propertyName: String(propertyKey),
      validator: {
        validate: () => {
          checks += 1;
          return true;
        },
      },
    });
  };
}

@PureValidation()
class TickerDto {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value))
  @IsString()
  @Matches(/^[A-Z]{1,5}$/)
  @Counted()
  ticker!: string;
}

@PureValidation()
class WindowDto {
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.split(',') : value))
  @Counted()
  days?: string[];
}

class UnmarkedDto {
  @IsString()
  @Counted()
  ticker!: string;
}

const param = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'param', metatype });
const query = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'query', metatype });

describe('MemoizingValidationPipe', () => {
  beforeEach(() => {
    checks = 0;
  });

  it('validates a repeated input once and gives every caller its own instance of the class', async () => {
    const pipe = createValidationPipe();
    const first = await pipe.transform({ ticker: 'aapl' }, param(TickerDto));
    const second = await pipe.transform({ ticker: 'aapl' }, param(TickerDto));
    expect(first).toBeInstanceOf(TickerDto);
    expect(second).toBeInstanceOf(TickerDto);
    expect(second).toEqual({ ticker: 'AAPL' });
    expect(second).not.toBe(first);
    expect(checks).toBe(1);

    (second as TickerDto).ticker = 'MSFT';
    expect(await pipe.transform({ ticker: 'aapl' }, param(TickerDto))).toEqual({ ticker: 'AAPL' });
  });

  it('keeps different inputs apart', async () => {
    const pipe = createValidationPipe();
    expect(await pipe.transform({ ticker: 'aapl' }, param(TickerDto))).toEqual({ ticker: 'AAPL' });
    expect(await pipe.transform({ ticker: 'msft' }, param(TickerDto))).toEqual({ ticker: 'MSFT' });
    expect(checks).toBe(2);
  });

  it('throws the same catalog error for a repeated bad input, validating it each time', async () => {
    const pipe = createValidationPipe();
    for (let i = 0; i < 2; i += 1) {
      const failure: unknown = await pipe
        .transform({ ticker: 'not a ticker' }, param(TickerDto))
        .catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(AppError);
      expect((failure as AppError).code).toBe('INVALID_PARAMETER');
    }
    expect(checks).toBe(2);
    const unknownField: unknown = await pipe
      .transform({ ticker: 'aapl', extra: 'x' }, query(TickerDto))
      .catch((e: unknown) => e);
    expect((unknownField as AppError).details).toEqual(
      expect.objectContaining({ fields: [expect.objectContaining({ field: 'extra' })] }),
    );
  });

  it('validates every time for unmarked classes, bodies, and results that hold objects', async () => {
    const pipe = createValidationPipe();
    await pipe.transform({ ticker: 'AAPL' }, param(UnmarkedDto));
    await pipe.transform({ ticker: 'AAPL' }, param(UnmarkedDto));
    expect(checks).toBe(2);

    checks = 0;
    await pipe.transform({ ticker: 'AAPL' }, { type: 'body', metatype: TickerDto });
    await pipe.transform({ ticker: 'AAPL' }, { type: 'body', metatype: TickerDto });
    expect(checks).toBe(2);

    checks = 0;
    const a = await pipe.transform({ days: 'mon,tue' }, query(WindowDto));
    const b = await pipe.transform({ days: 'mon,tue' }, query(WindowDto));
    expect(b).toEqual({ days: ['mon', 'tue'] });
    expect((b as WindowDto).days).not.toBe((a as WindowDto).days);
    expect(checks).toBe(2);
  });

  it('validates every time when the input is not a small object of strings', async () => {
    const pipe = createValidationPipe();
    const long = 'A'.repeat(300);
    for (let i = 0; i < 2; i += 1) {
      await pipe.transform({ ticker: long }, param(TickerDto)).catch(() => undefined);
      await pipe.transform({ ticker: ['AAPL', 'MSFT'] }, query(TickerDto)).catch(() => undefined);
    }
    expect(checks).toBe(4);
  });
});
