import { Module } from '@nestjs/common';
import { DataQualityController } from './data-quality.controller.js';
import { LinkageRepository } from './linkage.repository.js';
import { LinkageService } from './linkage.service.js';

@Module({
  controllers: [DataQualityController],
  providers: [LinkageRepository, LinkageService],
  exports: [LinkageService],
})
export class LinkageModule {}
