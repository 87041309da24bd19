import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { Observable } from 'rxjs';
import { RequestValidationError } from '../errors/domain-error.js';

/**
 * The ValidationPipe rejects unknown query parameters only where a route declares a @Query() DTO,
 * and unknown body fields only where it declares a @Body() DTO. This closes the gap: a route that
 * takes no query parameters refuses any (a typo must not be silently ignored, and patient data must
 * not ride along in URLs), and a route that takes no body refuses one with fields (an administrator
 * who sends a reason with a rescore must not think it was recorded). An empty JSON object is taken
 * as no body.
 */
@Injectable()
export class NoUndeclaredInputInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() === 'http') {
      const req = ctx
        .switchToHttp()
        .getRequest<{ query?: Record<string, unknown>; body?: unknown }>();
      const names = Object.keys(req.query ?? {});
      if (names.length > 0 && !declares(ctx, RouteParamtypes.QUERY)) {
        throw new RequestValidationError(
          names.map((n) => `${n} should not exist (this route takes no query parameters)`),
        );
      }
      const fields = bodyFields(req.body);
      if (fields.length > 0 && !declares(ctx, RouteParamtypes.BODY)) {
        throw new RequestValidationError(
          fields.map((n) => `${n} should not exist (this route takes no body)`),
        );
      }
    }
    return next.handle();
  }
}

/** The top-level fields of a parsed body (JSON or form); an array counts as one field, "body". */
function bodyFields(body: unknown): string[] {
  if (!body || typeof body !== 'object') return [];
  return Array.isArray(body) ? ['body'] : Object.keys(body);
}

// Route metadata is fixed once the app is built: look it up once per handler, not per request.
const declaredByHandler = new WeakMap<object, Set<string>>();

/** Whether the route's handler takes a parameter of this kind (@Query(), @Body()). */
function declares(ctx: ExecutionContext, type: RouteParamtypes): boolean {
  const handler = ctx.getHandler();
  let kinds = declaredByHandler.get(handler);
  if (!kinds) {
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, ctx.getClass(), handler.name) ??
      {}) as Record<string, unknown>;
    kinds = new Set(Object.keys(args).map((key) => key.split(':')[0]));
    declaredByHandler.set(handler, kinds);
  }
  return kinds.has(String(type));
}
