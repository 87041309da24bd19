import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CatalogueRepository } from './catalogue.repository.js';
import { CatalogueService } from './catalogue.service.js';
import { ProviderEntity } from './entities/provider.entity.js';
import { ServiceEntity } from './entities/service.entity.js';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([ServiceEntity, ProviderEntity])],
  providers: [CatalogueRepository, CatalogueService],
  exports: [CatalogueService],
})
export class CatalogueModule {}
