import { DomainError } from '../common/errors/domain-error.js';

export enum RttReportingErrorCode {
  InvalidMonth = 'rtt.invalid-month',
  FutureMonth = 'rtt.future-month',
  MonthNotFinished = 'rtt.month-not-finished',
  CensusOutsideMonth = 'rtt.census-outside-month',
  FutureCutoff = 'rtt.future-cutoff',
  UnknownService = 'rtt.unknown-service',
  UnknownProvider = 'rtt.unknown-provider',
  ProviderNotCommissioned = 'rtt.provider-not-commissioned',
  SnapshotNotFound = 'rtt.snapshot-not-found',
}

/** Errors raised by RTT reporting; messages never contain patient data. */
export class RttReportingError extends DomainError {
  static invalidMonth(month: string): RttReportingError {
    return new RttReportingError(
      'validation',
      RttReportingErrorCode.InvalidMonth,
      `"${month}" is not a month: give it as YYYY-MM with a month from 01 to 12, for example 2026-10.`,
    );
  }
  static futureMonth(month: string, current: string): RttReportingError {
    return new RttReportingError(
      'validation',
      RttReportingErrorCode.FutureMonth,
      `${month} is in the future: reports can be made for ${current} or earlier.`,
    );
  }
  static monthNotFinished(month: string): RttReportingError {
    return new RttReportingError(
      'validation',
      RttReportingErrorCode.MonthNotFinished,
      `${month} has not ended yet: a snapshot can only be made once the month is over (the live report shows the month so far).`,
    );
  }
  static censusOutsideMonth(census: string, month: string, latest: string): RttReportingError {
    return new RttReportingError(
      'validation',
      RttReportingErrorCode.CensusOutsideMonth,
      `The census date ${census} must be a date in ${month} no later than ${latest}.`,
    );
  }
  static futureCutoff(): RttReportingError {
    return new RttReportingError(
      'validation',
      RttReportingErrorCode.FutureCutoff,
      'The data cut-off is in the future: give an instant that has already passed, or leave it out to use all data recorded so far.',
    );
  }
  static unknownService(code: string, known: string[]): RttReportingError {
    return new RttReportingError(
      'validation',
      RttReportingErrorCode.UnknownService,
      `There is no service "${code}". Known services: ${known.join(', ')}.`,
    );
  }
  static unknownProvider(code: string, known: string[]): RttReportingError {
    return new RttReportingError(
      'validation',
      RttReportingErrorCode.UnknownProvider,
      `There is no provider "${code}". Known providers: ${known.join(', ')}.`,
    );
  }
  static providerNotCommissioned(code: string): RttReportingError {
    return new RttReportingError(
      'forbidden',
      RttReportingErrorCode.ProviderNotCommissioned,
      `Provider "${code}" is not commissioned by your ICB, so you cannot see its report.`,
    );
  }
  static snapshotNotFound(month: string, version?: number): RttReportingError {
    return new RttReportingError(
      'not-found',
      RttReportingErrorCode.SnapshotNotFound,
      version
        ? `There is no version ${version} of the ${month} snapshot.`
        : `There is no snapshot for ${month} yet.`,
    );
  }
}
