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
 * The ValidationPipe rejects unknown query parameters only where a route declares a @Query() DTO.
 * This closes the gap: a route that takes no query parameters refuses any (a typo must not be
 * silently ignored, and patient data must not ride along in URLs).
 */
@Injectable()
export class NoUnknownQueryInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() === 'http') {
      const req = ctx.switchToHttp().getRequest<{ query?: Record<string, unknown> }>();
      const names = Object.keys(req.query ?? {});
      if (names.length > 0 && !takesQuery(ctx)) {
        throw new RequestValidationError(
          names.map((n) => `${n} should not exist (this route takes no query parameters)`),
        );
      }
    }
    return next.handle();
  }
}

// Route metadata is fixed once the app is built: look it up once per handler, not per request.
const takesQueryByHandler = new WeakMap<object, boolean>();

function takesQuery(ctx: ExecutionContext): boolean {
  const handler = ctx.getHandler();
  const known = takesQueryByHandler.get(handler);
  if (known !== undefined) return known;
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, ctx.getClass(), handler.name) ??
    {}) as Record<string, unknown>;
  const takes = Object.keys(args).some(
    (key) => key.split(':')[0] === String(RouteParamtypes.QUERY),
  );
  takesQueryByHandler.set(handler, takes);
  return takes;
}
