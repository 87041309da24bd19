import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { ProviderConfig, ServiceConfig } from '../config/catalogue.schema.js';
import { CatalogueRepository } from './catalogue.repository.js';

/** The configured services and providers, mirrored into the database at start-up. */
@Injectable()
export class CatalogueService implements OnModuleInit {
  private serviceNumbers = new Map<string, number>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: CatalogueRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    this.serviceNumbers = await this.repository.upsertCatalogue(this.config.catalogue);
  }

  /**
   * A configured service's number in the database (it leads the service's rank keys: migration
   * PackRankKeys). Known once the catalogue has been mirrored at start-up.
   */
  serviceNumber(code: string): number {
    const number = this.serviceNumbers.get(code);
    if (number === undefined) throw new Error(`service ${code} has no number yet`);
    return number;
  }

  services(): ServiceConfig[] {
    return this.config.catalogue.services;
  }

  providers(): ProviderConfig[] {
    return this.config.catalogue.providers;
  }

  /** The codes of the providers an ICB commissions (a commissioner sees only these lists). */
  providersCommissionedBy(commissionerCode: string): string[] {
    return this.config.catalogue.providers
      .filter((p) => p.commissioner === commissionerCode)
      .map((p) => p.code);
  }

  service(code: string): ServiceConfig | undefined {
    return this.config.catalogue.services.find((s) => s.code === code);
  }

  provider(code: string): ProviderConfig | undefined {
    return this.config.catalogue.providers.find((p) => p.code === code);
  }
}
