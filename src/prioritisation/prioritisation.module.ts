import { Module } from '@nestjs/common';
import { CheckInsRepository } from './check-ins/check-ins.repository.js';
import { CheckInsService } from './check-ins/check-ins.service.js';
import { ChildPriorityController } from './child-priority.controller.js';
import { EquityController } from './equity/equity.controller.js';
import { EquityRepository } from './equity/equity.repository.js';
import { EquityService } from './equity/equity.service.js';
import { OverridesRepository } from './overrides/overrides.repository.js';
import { OverridesService } from './overrides/overrides.service.js';
import { PreviewService } from './preview/preview.service.js';
import { PrioritisationController } from './prioritisation.controller.js';
import { PriorityRepository } from './priority/priority.repository.js';
import { PriorityService } from './priority/priority.service.js';
import { RankedController } from './ranked/ranked.controller.js';
import { RankedRepository } from './ranked/ranked.repository.js';
import { RankedService } from './ranked/ranked.service.js';
import { RescoreRepository } from './rescore/rescore.repository.js';
import { RescoreScheduler } from './rescore/rescore.scheduler.js';
import { RescoreService } from './rescore/rescore.service.js';
import { ToolActivationService } from './tool/tool-activation.service.js';
import { ToolVersionsRepository } from './tool/tool-versions.repository.js';
import { ToolVersionsService } from './tool/tool-versions.service.js';

/**
 * Clinical prioritisation (issue 4): the tool as versioned data, scoring and rescoring, explanations,
 * what-if preview, clinician overrides, family check-ins and risk-ranked lists.
 */
@Module({
  controllers: [
    PrioritisationController,
    ChildPriorityController,
    RankedController,
    EquityController,
  ],
  providers: [
    ToolVersionsRepository,
    ToolVersionsService,
    ToolActivationService,
    RescoreRepository,
    RescoreService,
    RescoreScheduler,
    PriorityRepository,
    PriorityService,
    OverridesRepository,
    OverridesService,
    CheckInsRepository,
    CheckInsService,
    RankedRepository,
    EquityRepository,
    EquityService,
    RankedService,
    PreviewService,
  ],
  exports: [RescoreService, ToolVersionsService],
})
export class PrioritisationModule {}
