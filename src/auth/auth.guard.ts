import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { currentRequestContext } from '../common/context/request-context.js';
import type { AuthUser, Role } from './auth-user.js';
import { IS_PUBLIC, ROLES_KEY } from './auth.decorators.js';
import { AuthError } from './auth.errors.js';
import { TokenVerifier } from './token-verifier.service.js';

/** Global guard: every route needs a verified token and a role decision unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; user?: AuthUser }>();
    const header = req.headers['authorization'];
    const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!match) throw AuthError.noToken();
    const user = await this.verifier.verify(match[1]);
    req.user = user;
    const context = currentRequestContext();
    if (context) context.user = user;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (!roles || roles.length === 0) throw AuthError.noDecision();
    if (!roles.includes(user.role)) throw AuthError.roleNotAllowed();
    return true;
  }
}
