import { DomainError } from '../common/errors/domain-error.js';

export enum AuditErrorCode {
  AlertNotFound = 'audit.alert-not-found',
  AlertAlreadyAcknowledged = 'audit.alert-already-acknowledged',
  BadCursor = 'audit.bad-cursor',
}

export class AuditError extends DomainError {
  static alertNotFound(): AuditError {
    return new AuditError(
      'not-found',
      AuditErrorCode.AlertNotFound,
      'There is no break-glass alert with that id. List alerts at GET /api/audit/alerts.',
    );
  }
  static alertAlreadyAcknowledged(): AuditError {
    return new AuditError(
      'conflict',
      AuditErrorCode.AlertAlreadyAcknowledged,
      'This break-glass alert has already been acknowledged; see who did it at GET /api/audit/alerts?status=acknowledged.',
    );
  }
  static badCursor(): AuditError {
    return new AuditError(
      'validation',
      AuditErrorCode.BadCursor,
      'The cursor is not valid: pass the "next" value from the previous page unchanged.',
    );
  }
}
