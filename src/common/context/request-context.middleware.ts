import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { runWithRequestContext } from './request-context.js';

/** Gives every request an id (a caller's X-Request-Id if well formed) and a context for audit. */
export function requestContextMiddleware(
  req: IncomingMessage & { id?: string; ip?: string },
  res: ServerResponse,
  next: () => void,
): void {
  const given = req.headers['x-request-id'];
  req.id = typeof given === 'string' && /^[\w-]{8,64}$/.test(given) ? given : randomUUID();
  res.setHeader('x-request-id', req.id);
  runWithRequestContext({ requestId: req.id, ip: req.ip ?? req.socket.remoteAddress }, next);
}
