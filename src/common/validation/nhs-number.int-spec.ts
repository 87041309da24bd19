import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../../../test/utils/test-app.js';
import { isValidNhsNumber } from './nhs-number.js';

describe('is_valid_nhs_number (the database check)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('should agree with the application validator on every number in a range and on the edge cases', async () => {
    const candidates = [
      ...Array.from({ length: 5000 }, (_, i) => String(9434760000 + i * 7)),
      ...[
        '9434765919',
        '9449306060',
        '1234567890',
        '0000000400',
        '2222222222',
        '943476591',
        '94347A5919',
        '9876544321',
      ],
    ];
    const rows: Array<{ n: string; ok: boolean }> = await t.db.query(
      `select n, is_valid_nhs_number(n) as ok from unnest($1::text[]) as n`,
      [candidates],
    );
    const mismatches = rows.filter((r) => r.ok !== isValidNhsNumber(r.n));
    expect(mismatches).toEqual([]);
    expect(rows.filter((r) => r.ok).length).toBeGreaterThan(400);
  });
});
