import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuthUser } from '../../auth/auth-user.js';

/** Per-request facts that audit and logging need without threading them through every call. */
export interface RequestContext {
  requestId?: string;
  user?: AuthUser;
  ip?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithRequestContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}
