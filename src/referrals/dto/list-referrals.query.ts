import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { REFERRAL_STATUSES, type ReferralStatus } from '../entities/referral.entity.js';

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

  @ApiPropertyOptional({ default: 50, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'The "next" value from the previous page' })
  @IsOptional()
  @IsString()
  cursor?: string;
}
