import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser, Roles } from '../auth/auth.decorators.js';
import { ChildrenService } from './children.service.js';
import { ChildIdParams } from './dto/child-id.params.js';
import { ChildResponse } from './dto/child.response.dto.js';

@ApiTags('children')
@ApiBearerAuth()
@Controller('api/children')
export class ChildrenController {
  constructor(private readonly children: ChildrenService) {}

  @Get(':id')
  @Roles('clinician', 'commissioner', 'family')
  getChild(@Param() params: ChildIdParams, @CurrentUser() user: AuthUser): Promise<ChildResponse> {
    return this.children.getChild(params.id, user);
  }
}
