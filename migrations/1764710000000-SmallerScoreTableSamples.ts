import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every full rescore analyses the freshly filled score tables before swapping them in. ANALYZE reads
 * 300 x the largest statistics target rows (30,000 at the default 100), and the array columns'
 * element statistics made it ~0.6 s of the child table's build. The columns the ranked lists filter,
 * join and sort on keep statistics from a 7,500-row sample (target 25): enough for the few values of
 * bands, services, providers, localities and flags, and for the ranges of scores and waits. The
 * other columns have none (migration FillPriorityScoresSideBySide).
 */
const SAMPLED: Record<string, string[]> = {
  child_priority: [
    'child_id',
    'band',
    'band_rank',
    'neg_score',
    'max_weeks',
    'neg_weeks',
    'service_count',
    'services',
    'providers',
    'locality',
    'flags',
  ],
  referral_priority: [
    'referral_id',
    'child_id',
    'service_code',
    'provider_code',
    'weeks',
    'band_rank',
    'neg_score',
    'neg_weeks',
  ],
};

async function setStatistics(q: QueryRunner, target: number): Promise<void> {
  for (const [table, columns] of Object.entries(SAMPLED)) {
    for (const t of [table, `${table}_idle`]) {
      const alter = columns.map((c) => `alter column ${c} set statistics ${target}`).join(', ');
      await q.query(`alter table ${t} ${alter}`);
    }
  }
}

export class SmallerScoreTableSamples1764710000000 implements MigrationInterface {
  name = 'SmallerScoreTableSamples1764710000000';

  async up(q: QueryRunner): Promise<void> {
    await setStatistics(q, 25);
  }

  async down(q: QueryRunner): Promise<void> {
    await setStatistics(q, -1);
  }
}
