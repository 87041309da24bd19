import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { CatalogueConfig } from '../config/catalogue.schema.js';

@Injectable()
export class CatalogueRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Makes the service and provider tables match the configured catalogue (rows are never deleted). */
  async upsertCatalogue(c: CatalogueConfig): Promise<void> {
    const commissioners = new Map(c.commissioners.map((x) => [x.code, x.name]));
    await this.db.transaction(async (m) => {
      for (const s of c.services) {
        await m.query(
          `insert into service (code, name, public_name, target_weeks, measurement_regime, treatment_function)
           values ($1, $2, $3, $4, $5, $6)
           on conflict (code) do update set name = excluded.name, public_name = excluded.public_name,
             target_weeks = excluded.target_weeks, measurement_regime = excluded.measurement_regime,
             treatment_function = excluded.treatment_function, updated_at = now()`,
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
    });
  }
}
