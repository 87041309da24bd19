import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Row fingerprints become 53-bit integers (src/ingest/mapping/fingerprint.ts, FINGERPRINT_VERSION
 * v2) instead of base64 SHA-1 text: cheaper to compute for every row of every pull, to read back
 * (8 bytes a referral) and to compare. An old fingerprint cannot be turned into a new one, so none
 * is kept: each referral is re-derived once, by the next pull of its source (reported as updated;
 * no clock event is written twice), exactly as after a FINGERPRINT_VERSION bump. Down does the
 * same the other way.
 */
export class StoreRowFingerprintsAsNumbers1764900000000 implements MigrationInterface {
  name = 'StoreRowFingerprintsAsNumbers1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table referral drop column source_row_hash`);
    await q.query(`alter table referral add column source_row_fingerprint bigint`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table referral drop column source_row_fingerprint`);
    await q.query(`alter table referral add column source_row_hash text`);
  }
}
