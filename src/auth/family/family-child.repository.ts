import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** The one query sign-in needs about children: which child an NHS number (from NHS login) belongs to. */
@Injectable()
export class FamilyChildRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async childIdForNhsNumber(nhsNumber: string): Promise<string | null> {
    const rows: Array<{ id: string }> = await this.db.query(
      `select id from child where nhs_number = $1`,
      [nhsNumber],
    );
    return rows[0]?.id ?? null;
  }
}
