import { describe, expect, it } from '@jest/globals';
import { testDatabaseUrl, withClient } from '../../../test/utils/test-database.js';
import { ageInMonths, ageInYears } from './calendar-date.js';

describe('ageInMonths (the ages a rescore gives the rules)', () => {
  it("should count completed months as PostgreSQL's age() does, over leap days and month ends", async () => {
    // Every date of birth across two leap years, as at dates on and around month ends and 29 February.
    const asAts = [
      '2024-02-28',
      '2024-02-29',
      '2024-03-01',
      '2025-02-28',
      '2025-03-01',
      '2026-01-30',
      '2026-01-31',
      '2026-04-30',
      '2026-11-25',
      '2026-12-31',
      '2028-02-29',
    ];
    const rows: Array<{ born: string; on: string; months: number }> = await withClient(
      testDatabaseUrl(),
      async (c) =>
        (
          await c.query(
            `select to_char(born, 'YYYY-MM-DD') as born, on_date as on,
                    (date_part('year', age(on_date::date, born)) * 12 + date_part('month', age(on_date::date, born)))::int as months
               from generate_series('2019-12-01'::date, '2024-03-31'::date, '1 day') as born,
                    unnest($1::text[]) as on_date
              where born <= on_date::date`,
            [asAts],
          )
        ).rows,
    );
    expect(rows.length).toBeGreaterThan(10_000);
    const differ = rows.filter((r) => ageInMonths(r.born, r.on) !== r.months);
    expect(differ).toEqual([]);
    // Completed years are the same whether counted by months or by birthdays.
    const years = rows.filter((r) => Math.floor(r.months / 12) !== ageInYears(r.born, r.on));
    expect(years).toEqual([]);
  });
});
