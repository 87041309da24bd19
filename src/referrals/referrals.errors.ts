import { DomainError } from '../common/errors/domain-error.js';

export enum ReferralsErrorCode {
  UnknownService = 'referrals.unknown-service',
  UnknownProvider = 'referrals.unknown-provider',
  ServiceNotAssigned = 'referrals.service-not-assigned',
}

export class ReferralsError extends DomainError {
  static unknownService(code: string, known: string[]): ReferralsError {
    return new ReferralsError(
      'validation',
      ReferralsErrorCode.UnknownService,
      `There is no service "${code}". Known services: ${known.join(', ')}.`,
    );
  }
  static unknownProvider(code: string, known: string[]): ReferralsError {
    return new ReferralsError(
      'validation',
      ReferralsErrorCode.UnknownProvider,
      `There is no provider "${code}". Known providers: ${known.join(', ')}.`,
    );
  }
  static serviceNotAssigned(code: string): ReferralsError {
    return new ReferralsError(
      'forbidden',
      ReferralsErrorCode.ServiceNotAssigned,
      `You are not assigned to the "${code}" service, so you cannot see its list.`,
    );
  }
}
