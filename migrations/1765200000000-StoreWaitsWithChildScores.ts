import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each child's score row carries the child's waits, as the ranked lists show them: compact JSON, one
 * object per referral (service, provider, completed weeks, the referral's place in its service list),
 * ordered by service code, provider code and referral id. A full or partial rescore writes the row
 * and its referrals' rows together, so the two cannot disagree. The ranked lists used to build this
 * array per row from `referral_priority` on every page: about half of PostgreSQL's time for a page of
 * 50 children (0.5-0.6 of 1.0-1.2 ms, single client). No statistics: no query filters on it.
 * Existing scores get their waits here, built from their referral scores.
 */
export class StoreWaitsWithChildScores1765200000000 implements MigrationInterface {
  name = 'StoreWaitsWithChildScores1765200000000';

  async up(q: QueryRunner): Promise<void> {
    // The idle pair holds nothing between full rescores (each one empties it first).
    await q.query(`truncate child_priority_idle`);
    for (const t of ['child_priority', 'child_priority_idle']) {
      await q.query(`alter table ${t} add column waits json`);
      await q.query(`alter table ${t} alter column waits set statistics 0`);
    }
    await q.query(`
      update child_priority cp
         set waits = coalesce(
               (select array_to_json(array_agg(x order by w.service_code collate "C", w.provider_code collate "C", w.referral_id))
                  from referral_priority w
                  cross join lateral (select w.service_code as service, w.provider_code as provider,
                                             w.weeks as "weeksWaited", w.rank_score + 0 as score) x
                 where w.child_id = cp.child_id),
               '[]'::json)`);
    for (const t of ['child_priority', 'child_priority_idle']) {
      await q.query(`alter table ${t} alter column waits set not null`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['child_priority', 'child_priority_idle']) {
      await q.query(`alter table ${t} drop column waits`);
    }
  }
}
