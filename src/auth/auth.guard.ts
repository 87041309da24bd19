import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuditService } from '../audit/audit.service.js';
import { currentRequestContext } from '../common/context/request-context.js';
import type { AuthUser, Role } from './auth-user.js';
import {
  BREAK_GLASS_HEADER,
  BREAK_GLASS_ROUTE,
  type BreakGlassRole,
  IS_PUBLIC,
  ROLES_KEY,
} from './auth.decorators.js';
import { AuthError } from './auth.errors.js';
import { recordBreakGlassRefused } from './break-glass-attempts.js';
import { parseBreakGlassReason } from './break-glass.js';
import { FamilyAccess } from './family/family-access.service.js';
import { IDENTITY_CONFIG } from './identity/identity-config.provider.js';
import type { IdentityConfig } from './identity/identity-config.js';
import { TokenVerifier } from './token-verifier.service.js';

type GuardedRequest = {
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string | undefined>;
  method?: string;
  user?: AuthUser;
};

/**
 * Global guard: every route needs a verified token and a role decision unless marked @Public().
 * Deny by default: a route without @Roles is refused for everyone. A family is pinned to its one
 * child here, before any handler runs; break-glass is accepted only where a route allows it.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
    private readonly family: FamilyAccess,
    @Inject(IDENTITY_CONFIG) private readonly identity: IdentityConfig,
    private readonly audit: AuditService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest<GuardedRequest>();
    const header = req.headers['authorization'];
    const match = /^Bearer\s+(\S+)$/i.exec(typeof header === 'string' ? header : '');
    if (!match) throw AuthError.noToken();
    let user = await this.verifier.verify(match[1]);
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (!roles || roles.length === 0) throw AuthError.noDecision();
    if (!roles.includes(user.role)) throw AuthError.roleNotAllowed();
    user = await this.family.resolve(user);
    const breakGlass = await this.breakGlass(
      req,
      user,
      this.reflector.getAllAndOverride<BreakGlassRole[] | undefined>(BREAK_GLASS_ROUTE, targets),
    );
    if (breakGlass) user = { ...user, breakGlass: { reason: breakGlass } };
    req.user = user;
    const context = currentRequestContext();
    if (context) context.user = user;
    return true;
  }

  /** `routeRoles`: who the route lets break glass (@AllowBreakGlass), undefined where it does not. */
  private async breakGlass(
    req: GuardedRequest,
    user: AuthUser,
    routeRoles: BreakGlassRole[] | undefined,
  ): Promise<string | null> {
    const header = parseBreakGlassReason(
      req.headers[BREAK_GLASS_HEADER],
      this.identity.breakGlassMinReasonLength,
    );
    if (header.kind === 'absent') return null;
    if (!routeRoles) throw await this.refused(req, user, AuthError.breakGlassNotAvailable());
    const roles = routeRoles.filter((r) => this.identity.breakGlassRoles.includes(r));
    if (!roles.some((r) => r === user.role)) {
      throw await this.refused(req, user, AuthError.breakGlassNotAllowed(roles));
    }
    if (header.kind === 'invalid') {
      throw await this.refused(
        req,
        user,
        AuthError.breakGlassReasonInvalid(this.identity.breakGlassMinReasonLength),
      );
    }
    return header.reason;
  }

  /** Audits the refused attempt (recordBreakGlassRefused) and answers the error to throw. */
  private async refused(req: GuardedRequest, user: AuthUser, error: AuthError): Promise<AuthError> {
    await recordBreakGlassRefused(this.audit, req, user, error.code);
    return error;
  }
}
