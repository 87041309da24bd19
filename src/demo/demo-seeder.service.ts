import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { londonDate } from '../common/time/calendar-date.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { generateDemoRows, type PtlRow } from './demo-generator.js';
import { DemoRepository, type SeedChild, type SeedReferral } from './demo.repository.js';
import { seedChildFromRow, seedReferralFromRow } from './ptl-row-mapping.js';

/** Fills an empty database with synthetic demo children on first start (WAITWELL_DEMO). */
@Injectable()
export class DemoSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(DemoSeeder.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: DemoRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demo.enabled) return;
    if ((await this.repository.childCount()) > 0) return;
    const t0 = Date.now();
    const n = await this.seed(this.config.demo.children, this.config.demo.seed, londonDate());
    this.logger.log({ children: this.config.demo.children, referrals: n, ms: Date.now() - t0 }, 'demo data seeded');
  }

  async seed(children: number, seed: number, today: string): Promise<number> {
    let batchChildren: SeedChild[] = [];
    let batchReferrals: SeedReferral[] = [];
    let lastNhs = '';
    let count = 0;
    const flush = async () => {
      if (batchChildren.length) await this.repository.insertBatch(batchChildren, batchReferrals, 'demo');
      batchChildren = [];
      batchReferrals = [];
    };
    for (const row of generateDemoRows({ children, seed, today }) as Iterable<PtlRow>) {
      if (row.nhs_number !== lastNhs) {
        if (batchChildren.length >= 2000) await flush();
        batchChildren.push(seedChildFromRow(row, this.config.pseudonymSecret));
        lastNhs = row.nhs_number;
      }
      batchReferrals.push(seedReferralFromRow(row));
      count++;
    }
    await flush();
    return count;
  }
}
