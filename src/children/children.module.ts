import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChildrenController } from './children.controller.js';
import { ChildrenRepository } from './children.repository.js';
import { ChildrenService } from './children.service.js';
import { ChildFlagEntity } from './entities/child-flag.entity.js';
import { ChildEntity } from './entities/child.entity.js';

@Module({
  imports: [TypeOrmModule.forFeature([ChildEntity, ChildFlagEntity])],
  controllers: [ChildrenController],
  providers: [ChildrenRepository, ChildrenService],
  exports: [ChildrenService, ChildrenRepository],
})
export class ChildrenModule {}
