import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { loggablePath, REDACT_PATHS, staticSegmentsOf } from './redaction.js';

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

  it('should log a path with its route words and ids only: no query, NHS number or name', () => {
    const words = staticSegmentsOf([
      '/api/children/:id/priority',
      '/api/children/:id/check-ins',
      '/api/audit/alerts/:id/acknowledge',
      '{/*splat}',
    ]);
    const id = '0b7c6f1e-6a2b-4c1d-9e8f-112233445566';
    expect(loggablePath(`/api/children/${id}/priority?nhsNumber=9434765919`, words)).toBe(
      `/api/children/${id}/priority`,
    );
    expect(loggablePath('/api/children/9434765919/priority', words)).toBe(
      '/api/children/[redacted]/priority',
    );
    expect(loggablePath('/api/children/Zephyrine%20Quillfeather/check-ins', words)).toBe(
      '/api/children/[redacted]/check-ins',
    );
    expect(loggablePath('/api/children/zephyrine/priority', words)).toBe(
      '/api/children/[redacted]/priority',
    );
    expect(loggablePath('/api/audit/alerts/42/acknowledge', words)).toBe(
      '/api/audit/alerts/42/acknowledge',
    );
    expect(loggablePath('/docs/swagger-ui.css', words)).toBe('/[redacted]/swagger-ui.css');
  });
});
