import { Module } from '@nestjs/common';
import { DemoSeeder } from './demo-seeder.service.js';
import { DemoRepository } from './demo.repository.js';

@Module({ providers: [DemoRepository, DemoSeeder], exports: [DemoSeeder] })
export class DemoModule {}
