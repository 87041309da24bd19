import { DomainError } from '../common/errors/domain-error.js';

export enum AuthErrorCode {
  NoToken = 'auth.no-token',
  BadToken = 'auth.bad-token',
  RoleNotAllowed = 'auth.role-not-allowed',
  NoDecision = 'auth.route-has-no-role-decision',
}

export class AuthError extends DomainError {
  static noToken(): AuthError {
    return new AuthError('unauthenticated', AuthErrorCode.NoToken, 'Sign in first: send an access token in the Authorization header as "Bearer <token>".');
  }
  static badToken(): AuthError {
    return new AuthError('unauthenticated', AuthErrorCode.BadToken, 'Your sign-in token was not accepted (expired, not for WaitWell, or not from a trusted issuer). Sign in again.');
  }
  static roleNotAllowed(): AuthError {
    return new AuthError('forbidden', AuthErrorCode.RoleNotAllowed, 'Your role does not allow this. Ask your WaitWell administrator if you need access.');
  }
  static noDecision(): AuthError {
    return new AuthError('forbidden', AuthErrorCode.NoDecision, 'This route is not open to any role yet.');
  }
}
