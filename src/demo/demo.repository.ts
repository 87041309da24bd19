import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

@Injectable()
export class DemoRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async hasChildren(): Promise<boolean> {
    const rows: Array<{ any: boolean }> = await this.db.query(
      `select exists (select 1 from child) as any`,
    );
    return rows[0].any;
  }
}
