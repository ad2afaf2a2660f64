import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IS_PUBLIC, REQUIRED_PERMISSION, SKIP_RATE_LIMIT } from '../core/identity/auth.decorators.js';
import type { Permission } from '../core/identity/roles.js';

/** What a route's decorators (@Public, @Roles, @SkipRateLimit; method over class) say about access. */
export interface RoutePolicy {
  readonly isPublic: boolean;
  readonly requiredPermission: Permission | undefined;
  readonly skipRateLimit: boolean;
}

/**
 * The access policy of the route a request matched, read from its decorators once per controller
 * class and handler: decorators are fixed when the application is built, and the three global
 * guards would otherwise walk the metadata of both on every request. Keyed by class as well as
 * handler, because a handler inherited by two controllers can sit under different class decorators.
 */
@Injectable()
export class RoutePolicies {
  private readonly byClass = new WeakMap<object, WeakMap<object, RoutePolicy>>();

  constructor(private readonly reflector: Reflector) {}

  of(context: ExecutionContext): RoutePolicy {
    const controller = context.getClass();
    const handler = context.getHandler();
    let byHandler = this.byClass.get(controller);
    if (byHandler === undefined) {
      byHandler = new WeakMap();
      this.byClass.set(controller, byHandler);
    }
    let policy = byHandler.get(handler);
    if (policy === undefined) {
      const targets = [handler, controller];
      policy = {
        isPublic: this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, targets) === true,
        requiredPermission: this.reflector.getAllAndOverride<Permission | undefined>(REQUIRED_PERMISSION, targets),
        skipRateLimit: this.reflector.getAllAndOverride<boolean | undefined>(SKIP_RATE_LIMIT, targets) === true,
      };
      byHandler.set(handler, policy);
    }
    return policy;
  }
}
