import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { REFERRAL_STATUSES, type ReferralStatus } from '../entities/referral.entity.js';
import { PageCursor, PageLimit } from '../../common/pagination/page-query.decorators.js';

export class ListReferralsQuery {
  @ApiPropertyOptional({ description: 'Service code, e.g. slt' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9-]{1,40}$/, { message: 'service must be a service code such as "slt"' })
  service?: string;

  @ApiPropertyOptional({ description: 'Provider ODS code, e.g. RXA' })
  @IsOptional()
  @Matches(/^[A-Z0-9]{3,8}$/, { message: 'provider must be an ODS code such as "RXA"' })
  provider?: string;

  @ApiPropertyOptional({ enum: REFERRAL_STATUSES })
  @IsOptional()
  @IsIn(REFERRAL_STATUSES, { message: `status must be one of: ${REFERRAL_STATUSES.join(', ')}` })
  status?: ReferralStatus;

  @PageLimit(500, 50)
  limit?: number;

  @PageCursor()
  cursor?: string;
}
