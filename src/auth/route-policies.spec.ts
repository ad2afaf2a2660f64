import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Controller, Get, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Public, Roles, SkipRateLimit } from '../core/identity/auth.decorators.js';
import { RoutePolicies } from './route-policies.js';

@Controller('base')
@Roles('market:read')
class QuotesController {
  @Get('quote')
  quote(): null {
    return null;
  }

  @Get('chain')
  @Roles('options:read')
  chain(): null {
    return null;
  }

  @Get('health')
  @Public()
  @SkipRateLimit()
  health(): null {
    return null;
  }
}

/** Inherits `quote` (the same function object) under a different class decorator. */
@Controller('open')
@Public()
class OpenQuotesController extends QuotesController {}

function contextOf(controller: object, handler: object): ExecutionContext {
  return { getClass: () => controller, getHandler: () => handler } as unknown as ExecutionContext;
}

describe('RoutePolicies', () => {
  const proto = QuotesController.prototype;

  it('reads @Roles, @Public and @SkipRateLimit, the method overriding the class', () => {
    const policies = new RoutePolicies(new Reflector());
    expect(policies.of(contextOf(QuotesController, proto.quote))).toEqual({
      isPublic: false,
      requiredPermission: 'market:read',
      skipRateLimit: false,
    });
    expect(policies.of(contextOf(QuotesController, proto.chain))).toEqual({
      isPublic: false,
      requiredPermission: 'options:read',
      skipRateLimit: false,
    });
    expect(policies.of(contextOf(QuotesController, proto.health))).toEqual({
      isPublic: true,
      requiredPermission: 'market:read',
      skipRateLimit: true,
    });
  });

  it('tells apart one handler inherited by two controllers with different class decorators', () => {
    const policies = new RoutePolicies(new Reflector());
    expect(policies.of(contextOf(QuotesController, proto.quote)).isPublic).toBe(false);
    expect(policies.of(contextOf(OpenQuotesController, proto.quote)).isPublic).toBe(true);
    expect(policies.of(contextOf(QuotesController, proto.quote)).isPublic).toBe(false);
  });

  it('reads the decorators once per controller and handler, then answers from memory', () => {
    const reflector = new Reflector();
    const read = jest.spyOn(reflector, 'getAllAndOverride');
    const policies = new RoutePolicies(reflector);
    const first = policies.of(contextOf(QuotesController, proto.chain));
    const reads = read.mock.calls.length;
    expect(reads).toBeGreaterThan(0);
    expect(policies.of(contextOf(QuotesController, proto.chain))).toBe(first);
    expect(read.mock.calls.length).toBe(reads);
  });
});
