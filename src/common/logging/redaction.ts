/**
 * Patient data never reaches a log line (shared/domain/reference.md §7.2). Keys listed here are
 * censored wherever they appear in the first levels of a logged object, and request URLs are logged
 * without their query string (a query may carry an NHS number or a name).
 */
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
