import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageCursor, PageLimit } from '../../common/pagination/page-query.decorators.js';

export const AUDIT_ACTIONS = [
  'read',
  'list',
  'create',
  'update',
  'delete',
  'export',
  'activate',
  'override',
  'break-glass',
  'break-glass-refused',
  'send',
  'import',
  'sign-in',
  'acknowledge',
] as const;
export const AUDIT_ROLES = [
  'commissioner',
  'clinician',
  'admin',
  'family',
  'auditor',
  'system',
] as const;

export class SearchAuditQuery {
  @ApiPropertyOptional({
    description: 'From this instant (inclusive), ISO 8601, e.g. 2026-11-01T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601(
    { strict: true },
    { message: 'from must be an ISO 8601 date or instant, e.g. 2026-11-01T00:00:00Z' },
  )
  from?: string;

  @ApiPropertyOptional({ description: 'Up to this instant (exclusive), ISO 8601' })
  @IsOptional()
  @IsISO8601(
    { strict: true },
    { message: 'to must be an ISO 8601 date or instant, e.g. 2026-12-01T00:00:00Z' },
  )
  to?: string;

  @ApiPropertyOptional({ description: 'Who: the subject of the signed-in user' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;

  @ApiPropertyOptional({ enum: AUDIT_ROLES })
  @IsOptional()
  @IsIn(AUDIT_ROLES, { message: `role must be one of: ${AUDIT_ROLES.join(', ')}` })
  role?: string;

  @ApiPropertyOptional({ enum: AUDIT_ACTIONS })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS, { message: `action must be one of: ${AUDIT_ACTIONS.join(', ')}` })
  action?: string;

  @ApiPropertyOptional({ description: 'What was touched, e.g. child, referral-list' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9-]{0,60}$/, {
    message: 'resource must be a resource name such as "child"',
  })
  resource?: string;

  @ApiPropertyOptional({ description: 'Records about this child (child id)' })
  @IsOptional()
  @IsUUID('all', { message: 'childId must be a child id (a UUID)' })
  childId?: string;

  @ApiPropertyOptional({ description: 'The X-Request-Id of one request' })
  @IsOptional()
  @Matches(/^[\w-]{8,64}$/, {
    message: 'requestId must be a request id as returned in X-Request-Id',
  })
  requestId?: string;

  @PageLimit(500, 100)
  limit?: number;

  @PageCursor()
  cursor?: string;
}
