import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { CatalogueConfig } from '../config/catalogue.schema.js';

@Injectable()
export class CatalogueRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Makes the service and provider tables match the configured catalogue (rows are never deleted),
   * and returns each service's number (`service.number`, given once when a service is first added).
   */
  async upsertCatalogue(c: CatalogueConfig): Promise<Map<string, number>> {
    const commissioners = new Map(c.commissioners.map((x) => [x.code, x.name]));
    return this.db.transaction(async (m) => {
      for (const s of c.services) {
        // Update, and insert only a service that is new: an INSERT ... ON CONFLICT DO UPDATE takes a
        // number from `service.number`'s sequence on every call, conflict or not, and numbers must
        // stay few (they lead the rank keys: migration PackRankKeys). `updated_at` moves only when
        // something changed: a start-up that changed a target rescores in full (scoresCurrent).
        await m.query(
          `with updated as (
             update service set name = $2, public_name = $3, target_weeks = $4, measurement_regime = $5,
                    treatment_function = $6,
                    updated_at = case when (name, public_name, target_weeks, measurement_regime, treatment_function)
                                           is distinct from ($2, $3, $4::int, $5, $6)
                                      then now() else updated_at end
              where code = $1 returning code)
           insert into service (code, name, public_name, target_weeks, measurement_regime, treatment_function)
           select $1, $2, $3, $4, $5, $6 where not exists (select 1 from updated)
           on conflict (code) do nothing`,
          [
            s.code,
            s.name,
            s.publicName,
            s.targetWeeks,
            s.measurementRegime,
            s.treatmentFunction ?? null,
          ],
        );
      }
      for (const p of c.providers) {
        await m.query(
          `insert into provider (code, name, commissioner_code, commissioner_name) values ($1, $2, $3, $4)
           on conflict (code) do update set name = excluded.name, commissioner_code = excluded.commissioner_code,
             commissioner_name = excluded.commissioner_name, updated_at = now()`,
          [p.code, p.name, p.commissioner, commissioners.get(p.commissioner) ?? p.commissioner],
        );
      }
      const numbers: Array<{ code: string; number: number }> = await m.query(
        `select code, number from service`,
      );
      return new Map(numbers.map((r) => [r.code, r.number]));
    });
  }
}
