import {
  applyDecorators,
  createParamDecorator,
  type ExecutionContext,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import type { AuthUser, Role } from './auth-user.js';
import { BreakGlassAttemptsInterceptor } from './break-glass-attempts.js';

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
 * The route honours break-glass for these roles (and only those of them that `breakGlassRoles` in
 * config/identity.yaml allows): with an `X-Break-Glass-Reason` header, the guard puts the reason in
 * `user.breakGlass`, and the service may show what the caller's normal view hides, audit it as
 * break-glass and raise an alert. Any other role sending the header is refused (403), and so is the
 * header on every other route (400), so nobody believes it took effect. Each route names its roles:
 * what break-glass opens is decided route by route (docs/identity.md, "Break-glass"). An attempt
 * the route then refuses (an unknown child) is audited (BreakGlassAttemptsInterceptor).
 */
export const AllowBreakGlass = (
  ...roles: [BreakGlassRole, ...BreakGlassRole[]]
): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(BREAK_GLASS_ROUTE, roles),
    UseInterceptors(BreakGlassAttemptsInterceptor),
  );

/** The roles that can ever break glass (identity.yaml may narrow them, never widen them). */
export type BreakGlassRole = Extract<Role, 'clinician' | 'commissioner'>;

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => {
  const req = ctx.switchToHttp().getRequest<{ user: AuthUser }>();
  return req.user;
});
