import { DomainError } from '../common/errors/domain-error.js';
import { BREAK_GLASS_MAX_REASON_LENGTH } from './break-glass.js';
import type { ClaimProblem } from './identity/claim-mapping.js';

export enum AuthErrorCode {
  NoToken = 'auth.no-token',
  BadToken = 'auth.bad-token',
  RoleNotAllowed = 'auth.role-not-allowed',
  NoDecision = 'auth.route-has-no-role-decision',
  NoWaitWellRole = 'auth.no-waitwell-role',
  IncompleteIdentity = 'auth.incomplete-identity',
  FamilyChildNotFound = 'auth.family-child-not-found',
  BadFamilyLink = 'auth.bad-family-link',
  BreakGlassNotAvailable = 'auth.break-glass-not-available',
  BreakGlassNotAllowed = 'auth.break-glass-not-allowed',
  BreakGlassReasonInvalid = 'auth.break-glass-reason-invalid',
}

export class AuthError extends DomainError {
  static noToken(): AuthError {
    return new AuthError(
      'unauthenticated',
      AuthErrorCode.NoToken,
      'Sign in first: send an access token in the Authorization header as "Bearer <token>".',
    );
  }
  static badToken(): AuthError {
    return new AuthError(
      'unauthenticated',
      AuthErrorCode.BadToken,
      'Your sign-in token was not accepted (expired, not for WaitWell, or not from a trusted issuer). Sign in again.',
    );
  }
  static roleNotAllowed(): AuthError {
    return new AuthError(
      'forbidden',
      AuthErrorCode.RoleNotAllowed,
      'Your role does not allow this. Ask your WaitWell administrator if you need access.',
    );
  }
  static noDecision(): AuthError {
    return new AuthError(
      'forbidden',
      AuthErrorCode.NoDecision,
      'This route is not open to any role yet.',
    );
  }
  static fromClaimProblem(problem: ClaimProblem): AuthError {
    switch (problem) {
      case 'no-subject':
      case 'bad-child-id':
        return AuthError.badToken();
      case 'no-role':
        return new AuthError(
          'forbidden',
          AuthErrorCode.NoWaitWellRole,
          'Your sign-in does not give you a WaitWell role. Ask your WaitWell administrator to grant one.',
        );
      case 'ambiguous-role':
        return new AuthError(
          'forbidden',
          AuthErrorCode.NoWaitWellRole,
          'Your sign-in carries more than one WaitWell role. Sign in again choosing the one role you are working in.',
        );
      case 'commissioner-without-icb':
        return new AuthError(
          'forbidden',
          AuthErrorCode.IncompleteIdentity,
          'Your sign-in does not say which ICB you commission for. Ask your WaitWell administrator to check your account.',
        );
      case 'family-without-child':
      case 'bad-nhs-number':
        return new AuthError(
          'forbidden',
          AuthErrorCode.IncompleteIdentity,
          'Your sign-in does not include a valid NHS number for your child. Sign in with NHS login, or use the link in your message.',
        );
      default: {
        const unreachable: never = problem;
        throw new Error(`unmapped claim problem ${String(unreachable)}`);
      }
    }
  }
  static familyChildNotFound(): AuthError {
    return new AuthError(
      'forbidden',
      AuthErrorCode.FamilyChildNotFound,
      'We could not find a child on our waiting lists for your sign-in. If you think this is wrong, contact the service that referred you.',
    );
  }
  static badFamilyLink(): AuthError {
    return new AuthError(
      'unauthenticated',
      AuthErrorCode.BadFamilyLink,
      'This link is not valid or has expired. Ask the service for a new link.',
    );
  }
  static breakGlassNotAvailable(): AuthError {
    return new AuthError(
      'validation',
      AuthErrorCode.BreakGlassNotAvailable,
      "Break-glass opens only the reading of a child's record and priority, not this route: remove the X-Break-Glass-Reason header.",
    );
  }
  /** `roles`: who may break glass on this route (none: nobody, as configured). */
  static breakGlassNotAllowed(roles: readonly string[]): AuthError {
    return new AuthError(
      'forbidden',
      AuthErrorCode.BreakGlassNotAllowed,
      roles.length === 0
        ? 'Break-glass is not open to anyone on this route: remove the X-Break-Glass-Reason header.'
        : `Your role cannot use break-glass on this route (only ${roles.map((r) => `a ${r}`).join(' or ')} can): remove the X-Break-Glass-Reason header.`,
    );
  }
  static breakGlassReasonInvalid(minLength: number): AuthError {
    return new AuthError(
      'validation',
      AuthErrorCode.BreakGlassReasonInvalid,
      `X-Break-Glass-Reason must say in words why you need to open this child's record, in ${minLength} to ${BREAK_GLASS_MAX_REASON_LENGTH} characters, without control or formatting characters.`,
    );
  }
}
