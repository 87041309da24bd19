/**
 * Base class for errors a feature raises on purpose. `kind` decides the HTTP status in one place
 * (ProblemDetailsFilter); `code` is the stable machine-readable reason; `message` must be a sentence
 * a person can act on and must never contain patient data.
 */
export type DomainErrorKind =
  | 'validation'
  | 'not-found'
  | 'conflict'
  | 'forbidden'
  | 'unauthenticated'
  | 'unavailable'
  | 'too-large';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown> | string[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class RequestValidationError extends DomainError {
  constructor(readonly problems: string[]) {
    super(
      'validation',
      'request.invalid',
      `The request is not valid: ${problems.join('; ')}`,
      problems,
    );
  }
}
