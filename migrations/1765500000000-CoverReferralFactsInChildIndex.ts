import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The index of referrals by child also carries the columns a rescore's facts read from each open
 * referral (status, id, service, provider, priority, clock start), so that PostgreSQL reads them in
 * child order from the index alone (an index-only scan where the visibility map allows) instead of
 * scanning the table and sorting 877,000 referrals by child before the first child's facts can go
 * out. It replaces `ix_referral_child` (same leading column, so every lookup of a child's referrals
 * still uses it): one index on the table, as before, only wider. Measured on the benchmark's data
 * (docs/prioritisation.md, "Twelfth session").
 */
export class CoverReferralFactsInChildIndex1765500000000 implements MigrationInterface {
  name = 'CoverReferralFactsInChildIndex1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `create index ix_referral_child_facts on referral (child_id)
         include (status, id, service_code, provider_code, priority, clock_start_date)`,
    );
    await q.query(`drop index ix_referral_child`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`create index ix_referral_child on referral (child_id)`);
    await q.query(`drop index ix_referral_child_facts`);
  }
}
