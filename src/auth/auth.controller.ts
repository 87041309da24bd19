import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from './auth-user.js';
import { CurrentUser, Public, Roles, SignInRoute } from './auth.decorators.js';
import { AuthService } from './auth.service.js';
import { FamilySessionRequest } from './dto/family-session.request.dto.js';
import { FamilySessionResponse } from './dto/family-session.response.dto.js';
import { MeResponse } from './dto/me.response.dto.js';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Get('me')
  @ApiBearerAuth()
  @Roles('commissioner', 'clinician', 'admin', 'family', 'auditor')
  me(@CurrentUser() user: AuthUser): MeResponse {
    return this.auth.me(user);
  }

  /** Exchanges a signed family link (sent in a message) for a short session token for that one child. */
  @Post('family-session')
  @HttpCode(200)
  @Public()
  @SignInRoute()
  familySession(@Body() body: FamilySessionRequest): Promise<FamilySessionResponse> {
    return this.auth.familySession(body.link);
  }
}
