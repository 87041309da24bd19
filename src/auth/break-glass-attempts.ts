import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { isUUID } from 'class-validator';
import { catchError, from, mergeMap, type Observable, throwError } from 'rxjs';
import { AuditService } from '../audit/audit.service.js';
import { DomainError, type DomainErrorKind } from '../common/errors/domain-error.js';
import type { AuthUser } from './auth-user.js';

/** What an audited break-glass attempt needs from the request. */
export interface BreakGlassAttemptRequest {
  method?: string;
  params?: Record<string, string | undefined>;
}

/**
 * An attempt to break glass that was refused is audited (`break-glass-refused`: who, the child the
 * path names, why it was refused), so auditors see attempts as well as uses. Not an alert, and
 * never the reason given (it was not accepted, and may name someone).
 */
export async function recordBreakGlassRefused(
  audit: AuditService,
  req: BreakGlassAttemptRequest,
  user: AuthUser,
  code: string,
): Promise<void> {
  const id = req.params?.id;
  await audit.record({
    action: 'break-glass-refused',
    resource: 'break-glass-attempt',
    childIds: id && isUUID(id, 'all') ? [id] : [],
    actor: user,
    detail: { code, method: req.method ?? null },
  });
}

/** Answers that refuse a request (the caller's doing), not failures of the service. */
const REFUSALS: ReadonlySet<DomainErrorKind> = new Set(['not-found', 'validation', 'forbidden']);

/**
 * Break-glass the guard accepted can still be refused by the route: the child is unknown (a 404,
 * as for any unknown child) or the id malformed (a 400). Those attempts are audited like the ones
 * the guard refuses, so an auditor sees someone breaking glass on ids that open nothing (probing,
 * or a slip worth a word), not only the uses. On every @AllowBreakGlass route (auth.decorators.ts);
 * requests without break-glass pass straight through.
 */
@Injectable()
export class BreakGlassAttemptsInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditService) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() !== 'http') return next.handle();
    const req = ctx.switchToHttp().getRequest<BreakGlassAttemptRequest & { user?: AuthUser }>();
    const user = req.user;
    if (!user?.breakGlass) return next.handle();
    return next.handle().pipe(
      catchError((error: unknown) => {
        if (!(error instanceof DomainError) || !REFUSALS.has(error.kind)) {
          return throwError(() => error);
        }
        return from(recordBreakGlassRefused(this.audit, req, user, error.code)).pipe(
          mergeMap(() => throwError(() => error)),
        );
      }),
    );
  }
}
