import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { AuthUser, Role } from './auth-user.js';

export const IS_PUBLIC = 'waitwell:public';
export const ROLES_KEY = 'waitwell:roles';
export const SIGN_IN_ROUTE = 'waitwell:sign-in-route';
export const BREAK_GLASS_ROUTE = 'waitwell:break-glass-route';

/** The header a commissioner (or a clinician outside their services) sends to break glass, with the reason. */
export const BREAK_GLASS_HEADER = 'x-break-glass-reason';

/** The route needs no sign-in (health, API docs, sign-in callbacks only). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/**
 * The roles that may call the route. Every non-public route must say: a route with no decision
 * is refused for everyone (deny by default).
 */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator =>
  SetMetadata(ROLES_KEY, roles);

/** A sign-in route (e.g. exchanging a family link): rate limited more strictly, per client address. */
export const SignInRoute = (): MethodDecorator & ClassDecorator => SetMetadata(SIGN_IN_ROUTE, true);

/**
 * The route honours break-glass: with an `X-Break-Glass-Reason` header, the guard puts the reason in
 * `user.breakGlass` and the service may show identifiable data, audit it as break-glass and raise an
 * alert. On other routes the header is refused, so nobody believes it took effect.
 */
export const AllowBreakGlass = (): MethodDecorator & ClassDecorator =>
  SetMetadata(BREAK_GLASS_ROUTE, true);

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => {
  const req = ctx.switchToHttp().getRequest<{ user: AuthUser }>();
  return req.user;
});
