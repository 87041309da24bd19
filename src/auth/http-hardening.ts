import type { NextFunction, Request, Response } from 'express';

/**
 * Request errors that would otherwise echo what the caller sent: Node's JSON parser quotes the
 * body ("Unexpected token 'Z', "Zephyrine 943…" is not valid JSON") and Express quotes a badly
 * percent-encoded path ("Failed to decode param '…'"). Either may hold patient data, so both are
 * replaced by fixed messages before they become problem details.
 */
function fixedRequestError(message: string): Error {
  return Object.assign(new SyntaxError(message), {
    status: 400,
    statusCode: 400,
    expose: true,
    type: 'request.malformed',
  });
}

/** Express middleware (before routing): refuses a path that is not valid percent-encoding. */
export function rejectBadPercentEncoding(req: Request, _res: Response, next: NextFunction): void {
  try {
    decodeURIComponent(req.path);
  } catch {
    next(fixedRequestError('The URL is not valid: check its percent-encoding (%XX).'));
    return;
  }
  next();
}

/** Express error middleware (right after the body parsers): keeps the parser's message out of the answer. */
export function hideBodyParserDetail(
  err: unknown,
  _req: Request,
  _res: Response,
  next: NextFunction,
): void {
  const type = (err as { type?: unknown })?.type;
  if (type === 'entity.parse.failed') {
    return next(fixedRequestError('The request body is not valid JSON.'));
  }
  if (
    type === 'entity.verify.failed' ||
    type === 'encoding.unsupported' ||
    type === 'charset.unsupported'
  ) {
    return next(fixedRequestError('The request body could not be read: send UTF-8 JSON.'));
  }
  next(err);
}

/**
 * Express middleware (after the body parsers): refuses text holding the NUL character (U+0000) in
 * the body or the query string. PostgreSQL cannot store it in text, so it would otherwise reach the
 * database and come back as a 500 instead of a message the caller can act on. The message does not
 * quote the text (it may be an override's reason).
 */
export function rejectNulCharacters(req: Request, _res: Response, next: NextFunction): void {
  if (holdsNul(req.body, 0) || holdsNul(req.query, 0)) {
    next(
      fixedRequestError(
        'The request holds a NUL character (\\u0000), which text in WaitWell cannot hold: remove it and send again.',
      ),
    );
    return;
  }
  next();
}

/** Whether a parsed body or query holds a string with U+0000 (depth-limited: bodies are small). */
function holdsNul(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (value === null || typeof value !== 'object' || depth > 32) return false;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    if (key.includes('\u0000')) return true;
    if (holdsNul((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

/**
 * Express middleware (first): every answer is marked `Cache-Control: no-store`. Answers name or
 * rank children, or say who is signed in, and a shared browser or a proxy must not keep them; a
 * route may still set its own caching. No ETag is sent either (`app.set('etag', false)`): with
 * nothing kept there is nothing to revalidate, and Express would hash every body for it.
 */
export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  next();
}
