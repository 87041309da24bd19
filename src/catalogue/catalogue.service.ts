import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { ProviderConfig, ServiceConfig } from '../config/catalogue.schema.js';
import { CatalogueRepository } from './catalogue.repository.js';

/** The configured services and providers, mirrored into the database at start-up. */
@Injectable()
export class CatalogueService implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: CatalogueRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.repository.upsertCatalogue(this.config.catalogue);
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
