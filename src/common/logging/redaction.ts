/**
 * Patient data never reaches a log line (shared/domain/reference.md §7.2). Keys listed here are
 * censored wherever they appear in the first levels of a logged object, and request URLs are logged
 * without their query string (a query may carry an NHS number or a name).
 */
import { isUUID } from 'class-validator';

export const REDACTED_KEYS = [
  'nhsNumber',
  'nhs_number',
  'givenName',
  'familyName',
  'given_name',
  'family_name',
  'name',
  'dateOfBirth',
  'date_of_birth',
  'postcode',
  'address',
  'addressLines',
  'email',
  'phone',
  'mobile',
  'contactEmail',
  'contactPhone',
  'freeText',
  'reason',
  'notes',
  'personalisation',
  'raw',
  'rawRow',
  'body',
];

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
];

/** A record id such as an audit event's; ten digits or more could be an NHS number. */
const SHORT_NUMBER = /^\d{1,9}$/;
/** A static file's name (API documentation assets): lower-case letters, digits, dots and dashes. */
const FILE_NAME = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z0-9]+$/;

/**
 * The path of a request as it may be logged: without its query string, and with every segment that
 * is not a word of the app's routes (`staticSegments`), a UUID, a short number or a file name
 * replaced by "[redacted]". A caller who puts an NHS number or a name where a child's id goes
 * (`/api/children/9434765919/priority`) is refused with a 400, and the log line must not keep it.
 */
export function loggablePath(url: string, staticSegments: ReadonlySet<string>): string {
  const path = url.split('?')[0];
  return path
    .split('/')
    .map((s) =>
      s === '' ||
      staticSegments.has(s) ||
      isUUID(s, 'all') ||
      SHORT_NUMBER.test(s) ||
      FILE_NAME.test(s)
        ? s
        : '[redacted]',
    )
    .join('/');
}

/** The fixed words of route paths such as "/api/children/:id/priority" (not their parameters). */
export function staticSegmentsOf(routePaths: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const p of routePaths) {
    for (const s of p.split('/')) {
      if (s && !/[:{}*()]/.test(s)) out.add(s);
    }
  }
  return out;
}
