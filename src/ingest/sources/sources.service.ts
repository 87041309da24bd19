import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import type { PathwayRules } from '../../referrals/pathway-facts.js';
import { IngestError } from '../ingest.errors.js';
import type { ResolvedSource } from './source-config.js';
import { loadSources } from './sources-loader.js';

/** The configured sources (config/sources.yaml, WAITWELL_SOURCES_FILE), checked once at boot. */
@Injectable()
export class SourcesService {
  private readonly sources: ResolvedSource[];
  /** Each service's clock rule, from its measurement regime (config/rtt-reporting.yaml). */
  private readonly rulesByService: Map<string, PathwayRules>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.sources = loadSources(config.sourcesFile, config.catalogue, config.database.dataDir);
    // The lists derive each referral's clock with the rule the RTT report folds its events with,
    // so a regime without nullification shows the same wait in both.
    const { regimes } = config.rttReporting;
    this.rulesByService = new Map(
      config.catalogue.services.map((s) => [s.code, regimes[s.measurementRegime]]),
    );
  }

  /** The clock rule for a source's referrals (its service's regime). */
  clockRules(source: ResolvedSource): PathwayRules {
    return this.rulesByService.get(source.service) ?? { nullifyFirstAppointmentDna: true };
  }

  all(): ResolvedSource[] {
    return this.sources;
  }

  get(id: string): ResolvedSource {
    const source = this.sources.find((s) => s.id === id);
    if (!source) {
      throw IngestError.unknownSource(
        id,
        this.sources.map((s) => s.id),
      );
    }
    return source;
  }

  /** The source that carries a provider's list for a service (the demo writes one file per source). */
  findFor(provider: string, service: string): ResolvedSource | undefined {
    return this.sources.find((s) => s.provider === provider && s.service === service);
  }
}
