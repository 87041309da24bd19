import { DomainError, type DomainErrorKind } from '../common/errors/domain-error.js';

/** Why a request about sources or imports was refused, or why a pull failed (stored on the run). */
export enum IngestErrorCode {
  UnknownSource = 'ingest.unknown-source',
  PullInProgress = 'ingest.pull-in-progress',
  RunNotFound = 'ingest.run-not-found',
  NoFile = 'ingest.no-file',
  FileTooLarge = 'ingest.file-too-large',
  BinaryFile = 'ingest.binary-file',
  EmptyFile = 'ingest.empty-file',
  MissingColumns = 'ingest.missing-columns',
  MalformedCsv = 'ingest.malformed-csv',
  SourceUnreachable = 'ingest.source-unreachable',
  SourceHttpError = 'ingest.source-http-error',
  SourceTimeout = 'ingest.source-timeout',
  BadFhirResponse = 'ingest.bad-fhir-response',
  TooManyRejects = 'ingest.too-many-rejects',
  MissingCredential = 'ingest.missing-credential',
  Interrupted = 'ingest.interrupted',
  Stopping = 'ingest.service-stopping',
  ApplyFailed = 'ingest.apply-failed',
}

const CSV_PROBLEMS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed (unbalanced quotes)',
  CSV_INVALID_CLOSING_QUOTE:
    'a quote appears inside a field that is not quoted properly (unbalanced quotes)',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE:
    'there are characters after a closing quote (unbalanced quotes)',
  CSV_MAX_RECORD_SIZE: 'a row is implausibly long (a missing closing quote?)',
};

export class IngestError extends DomainError {
  constructor(kind: DomainErrorKind, code: IngestErrorCode, message: string, details?: string[]) {
    super(kind, code, message, details);
  }

  static unknownSource(id: string, known: string[]): IngestError {
    return new IngestError(
      'not-found',
      IngestErrorCode.UnknownSource,
      `There is no source "${id}". Configured sources: ${known.join(', ') || 'none'} (see config/sources.yaml).`,
    );
  }
  static pullInProgress(id: string): IngestError {
    return new IngestError(
      'conflict',
      IngestErrorCode.PullInProgress,
      `A pull of source "${id}" is already running (here or on another instance). Wait for it to finish; its progress is at GET /api/imports?source=${id}.`,
    );
  }
  static runNotFound(): IngestError {
    return new IngestError(
      'not-found',
      IngestErrorCode.RunNotFound,
      'There is no import run with that id.',
    );
  }
  static noFile(where: string): IngestError {
    return new IngestError(
      'validation',
      IngestErrorCode.NoFile,
      `No file to import: ${where}. Put the provider's export there, or pass --file.`,
    );
  }
  static fileTooLarge(bytes: number, max: number): IngestError {
    return new IngestError(
      'too-large',
      IngestErrorCode.FileTooLarge,
      `The file is ${mib(bytes)} but this source accepts at most ${mib(max)} (maxBytes in config/sources.yaml). Nothing was applied.`,
    );
  }
  static binaryFile(): IngestError {
    return new IngestError(
      'validation',
      IngestErrorCode.BinaryFile,
      'The file is not text (it contains NUL bytes: a spreadsheet or archive rather than a CSV export?). Export it as CSV and pull again. Nothing was applied.',
    );
  }
  static emptyFile(detail: string): IngestError {
    return new IngestError(
      'validation',
      IngestErrorCode.EmptyFile,
      `The list is empty: ${detail}. A full snapshot with no rows would mark every referral removed, so nothing was applied.`,
    );
  }
  static missingColumns(missing: string[], hint?: string): IngestError {
    return new IngestError(
      'validation',
      IngestErrorCode.MissingColumns,
      `The file has no column named ${missing.map((m) => `"${m}"`).join(', ')}${hint ? `; ${hint}` : ''}. Fix the export or csv.columns in config/sources.yaml. Nothing was applied.`,
      missing,
    );
  }
  /** `row` as a spreadsheet numbers it (the header is row 1). */
  static malformedCsv(csvCode: string | undefined, row: number | undefined): IngestError {
    const what = (csvCode && CSV_PROBLEMS[csvCode]) ?? 'the text is not valid CSV';
    return new IngestError(
      'validation',
      IngestErrorCode.MalformedCsv,
      `The file cannot be read as CSV${row ? ` at row ${row}` : ''}: ${what}. Nothing was applied.`,
    );
  }
  static unreachable(location: string, reason: string): IngestError {
    return new IngestError(
      'unavailable',
      IngestErrorCode.SourceUnreachable,
      `Could not reach ${location} (${reason}) after retrying. Check the URL and that the provider's system is up. Nothing was applied.`,
    );
  }
  static httpError(location: string, status: number): IngestError {
    const hint =
      status === 401 || status === 403
        ? ' Check the credentials named in config/sources.yaml.'
        : status === 404
          ? ' Check the URL.'
          : '';
    return new IngestError(
      'unavailable',
      IngestErrorCode.SourceHttpError,
      `${location} answered HTTP ${status}.${hint} Nothing was applied.`,
    );
  }
  static timeout(location: string, ms: number): IngestError {
    return new IngestError(
      'unavailable',
      IngestErrorCode.SourceTimeout,
      `${location} did not answer within ${ms} ms (timeoutMs), after retrying. Nothing was applied.`,
    );
  }
  static badFhir(detail: string): IngestError {
    return new IngestError(
      'validation',
      IngestErrorCode.BadFhirResponse,
      `The FHIR server's answer is not usable: ${detail}. Nothing was applied.`,
    );
  }
  static tooManyRejects(rejected: number, read: number, ratio: number): IngestError {
    return new IngestError(
      'validation',
      IngestErrorCode.TooManyRejects,
      `${rejected} of ${read} rows were rejected, more than the ${Math.round(ratio * 100)}% this source allows (maxRejectRatio): this usually means the column mapping, date format or codes do not match the file. The rejects of this run list the reasons. Nothing was applied.`,
    );
  }
  static missingCredential(envName: string): IngestError {
    return new IngestError(
      'unavailable',
      IngestErrorCode.MissingCredential,
      `The environment variable ${envName} (named in config/sources.yaml) is not set, so the source cannot be authenticated. Nothing was applied.`,
    );
  }
  static interrupted(): IngestError {
    return new IngestError(
      'unavailable',
      IngestErrorCode.Interrupted,
      'The run stopped before finishing (the service was restarted or crashed). Nothing from it was applied; pull again.',
    );
  }
  static stopping(): IngestError {
    return new IngestError(
      'unavailable',
      IngestErrorCode.Stopping,
      'This WaitWell instance is shutting down, so the pull was not started or was stopped before anything from it was applied. Pull again once the service is back (or on another instance); a scheduled pull runs again on its own.',
    );
  }
  static applyFailed(errorType: string): IngestError {
    return new IngestError(
      'unavailable',
      IngestErrorCode.ApplyFailed,
      `Applying the list to the database failed (${errorType}); the previous state is unchanged. Pull again, and report it if it keeps failing.`,
    );
  }
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MiB`;
}
