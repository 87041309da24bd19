import {
  type CanActivate,
  type ExecutionContext,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import type { AuthUser } from '../auth-user.js';
import { SIGN_IN_ROUTE } from '../auth.decorators.js';
import { FixedWindowCounter, type WindowHit } from './fixed-window.js';

const MINUTE = 60_000;

interface HttpPair {
  req: { ip?: string; socket?: { remoteAddress?: string }; user?: AuthUser };
  res: { setHeader(name: string, value: string): void };
}

function pair(ctx: ExecutionContext): HttpPair {
  const http = ctx.switchToHttp();
  return { req: http.getRequest(), res: http.getResponse() };
}

function enforce(res: HttpPair['res'], hit: WindowHit, suffix: string): void {
  res.setHeader(`X-RateLimit-Limit${suffix}`, String(hit.limit));
  res.setHeader(`X-RateLimit-Remaining${suffix}`, String(hit.remaining));
  res.setHeader(`X-RateLimit-Reset${suffix}`, String(hit.resetSeconds));
  if (!hit.allowed) {
    res.setHeader('Retry-After', String(hit.resetSeconds));
    throw new HttpException(
      'Too many requests: wait a minute, then try again.',
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

/**
 * Runs before sign-in, so floods of bad tokens are limited too: every route per client address
 * (WAITWELL_RATE_LIMIT_PER_MINUTE) and, much lower, sign-in routes per client address
 * (WAITWELL_RATE_LIMIT_SIGN_IN_PER_MINUTE).
 */
@Injectable()
export class ClientRateLimitGuard implements CanActivate {
  private readonly counter = new FixedWindowCounter();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reflector: Reflector,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const { req, res } = pair(ctx);
    const client = req.ip ?? req.socket?.remoteAddress ?? 'unknown';
    const limits = this.config.identity.rateLimits;
    enforce(res, this.counter.hit(`client:${client}`, limits.perMinute, MINUTE), '');
    if (
      this.reflector.getAllAndOverride<boolean>(SIGN_IN_ROUTE, [
        ctx.getHandler(),
        ctx.getClass(),
      ]) === true
    ) {
      enforce(
        res,
        this.counter.hit(`sign-in:${client}`, limits.signInPerMinute, MINUTE),
        '-Sign-In',
      );
    }
    return true;
  }
}

/** Runs after sign-in: everything a family does is limited per family (WAITWELL_RATE_LIMIT_FAMILY_PER_MINUTE). */
@Injectable()
export class FamilyRateLimitGuard implements CanActivate {
  private readonly counter = new FixedWindowCounter();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(ctx: ExecutionContext): boolean {
    const { req, res } = pair(ctx);
    if (req.user?.role !== 'family') return true;
    enforce(
      res,
      this.counter.hit(
        `family:${req.user.subject}`,
        this.config.identity.rateLimits.familyPerMinute,
        MINUTE,
      ),
      '-Family',
    );
    return true;
  }
}
