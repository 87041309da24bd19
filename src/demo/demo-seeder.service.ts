import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { londonDate } from '../common/time/calendar-date.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { IngestService } from '../ingest/ingest.service.js';
import { SourcesService } from '../ingest/sources/sources.service.js';
import { writeDemoCsvPerSource } from './demo-csv-writer.js';
import { DemoRepository } from './demo.repository.js';

const DEMO_ACTOR = { subject: 'demo', role: 'system' };

/**
 * The demo takes the path a real ICB would: on first start (empty database, WAITWELL_DEMO) the
 * generator writes one PTL CSV per provider and service into each configured csv-file source's
 * drop folder, and each source is pulled through the real ingest; the scheduler then keeps pulling.
 */
@Injectable()
export class DemoSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(DemoSeeder.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: DemoRepository,
    private readonly sources: SourcesService,
    private readonly ingest: IngestService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demo.enabled) return;
    if (await this.repository.hasChildren()) return;
    const t0 = Date.now();
    const today = londonDate();
    const targets = new Map<string, string>();
    for (const s of this.sources.all()) {
      if (s.kind !== 'csv-file' || s.location.toLowerCase().endsWith('.csv')) continue;
      // A drop folder that already has an export is left alone: it is what the provider sent.
      if (
        existsSync(s.location) &&
        readdirSync(s.location).some((n) => n.toLowerCase().endsWith('.csv'))
      ) {
        continue;
      }
      targets.set(`${s.provider}/${s.service}`, join(s.location, `ptl-${today}.csv`));
    }
    const written = await writeDemoCsvPerSource(
      { children: this.config.demo.children, seed: this.config.demo.seed, today },
      (p, s) => targets.get(`${p}/${s}`),
    );
    let referrals = 0;
    for (const s of this.sources.all().filter((x) => x.kind === 'csv-file')) {
      const run = await this.ingest
        .pull(s.id, { trigger: 'startup', actor: DEMO_ACTOR })
        .catch((e: Error) => {
          this.logger.warn({ sourceId: s.id, errorType: e.name }, 'demo pull could not start');
          return null;
        });
      if (run?.status === 'succeeded') referrals += run.rowsNew;
    }
    this.logger.log(
      { files: written.size, referrals, ms: Date.now() - t0 },
      'demo data pulled through the configured CSV sources',
    );
  }

  /**
   * Generates `children` demo children as of `today`, writes one PTL file per source into a
   * temporary folder and imports each through the ingest path (as `--file` would). Returns the
   * number of referrals imported. Used by tests and tools; start-up uses the drop folders.
   */
  async seed(children: number, seed: number, today: string): Promise<number> {
    const dir = await mkdtemp(join(tmpdir(), 'waitwell-demo-'));
    try {
      const files = new Map<string, { sourceId: string; path: string }>();
      for (const s of this.sources.all()) {
        if (s.kind === 'fhir') continue;
        files.set(`${s.provider}/${s.service}`, { sourceId: s.id, path: join(dir, `${s.id}.csv`) });
      }
      await writeDemoCsvPerSource(
        { children, seed, today },
        (p, s) => files.get(`${p}/${s}`)?.path,
      );
      let count = 0;
      for (const { sourceId, path } of files.values()) {
        if (!existsSync(path)) continue;
        const run = await this.ingest.pull(sourceId, {
          trigger: 'startup',
          actor: DEMO_ACTOR,
          file: path,
        });
        if (run.status !== 'succeeded') {
          throw new Error(`demo import of ${sourceId} failed: ${run.errorCode ?? 'unknown'}`);
        }
        count += run.rowsNew + run.rowsUpdated + run.rowsUnchanged;
      }
      return count;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
