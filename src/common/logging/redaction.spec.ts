import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { REDACT_PATHS } from './redaction.js';

describe('log redaction', () => {
  it('should censor patient fields at any of the first three levels of a logged object', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    log.info(
      {
        nhsNumber: '9434765919',
        child: { givenName: 'Mia', postcode: 'NB1 4AB' },
        run: { row: { email: 'a@example.com' } },
        count: 3,
      },
      'x',
    );
    const out = lines.join('');
    for (const secret of ['9434765919', 'Mia', 'NB1 4AB', 'a@example.com']) {
      expect(out).not.toContain(secret);
    }
    expect(JSON.parse(out)).toMatchObject({
      nhsNumber: '[redacted]',
      child: { givenName: '[redacted]' },
      count: 3,
    });
  });
});
