import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { asOwner, createTestApp, type TestApp } from '../../test/utils/test-app.js';
import { CatalogueRepository } from './catalogue.repository.js';

describe('the catalogue in the database', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await asOwner(t.db, (runner) =>
      runner.query(`delete from service where code = 'numbering-test'`),
    );
    await t.close();
  });

  // Service numbers lead the rank keys (migration PackRankKeys: at most 127 services). Every start
  // upserts the catalogue, and an INSERT ... ON CONFLICT took a number from the sequence each time.
  it('should keep service numbers across restarts and give a new service the next number', async () => {
    const numbers = async () => {
      const rows = await t.db.query<Array<{ code: string; number: number }>>(
        `select code, number from service order by code`,
      );
      return new Map(rows.map((r) => [r.code, r.number]));
    };
    const repository = t.app.get(CatalogueRepository);
    const before = await numbers();
    for (let i = 0; i < 3; i++) {
      expect(await repository.upsertCatalogue(t.config.catalogue)).toEqual(before);
    }
    expect(await numbers()).toEqual(before);

    const [first] = t.config.catalogue.services;
    await repository.upsertCatalogue({
      ...t.config.catalogue,
      services: [...t.config.catalogue.services, { ...first, code: 'numbering-test' }],
    });
    const after = await numbers();
    expect(after.get('numbering-test')).toBe(Math.max(...before.values()) + 1);
  });

  it('should refuse a service number past 127, which would not fit the rank key', async () => {
    await expect(
      asOwner(t.db, (runner) =>
        runner.query(
          `update service set number = 128 where number = (select min(number) from service)`,
        ),
      ),
    ).rejects.toThrow('service_number_fits_rank_key');
  });
});
