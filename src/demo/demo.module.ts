import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module.js';
import { DemoSeeder } from './demo-seeder.service.js';
import { DemoRepository } from './demo.repository.js';

@Module({ imports: [IngestModule], providers: [DemoRepository, DemoSeeder], exports: [DemoSeeder] })
export class DemoModule {}
