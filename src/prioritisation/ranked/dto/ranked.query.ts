import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { CHILD_FLAG_CODES } from '../../../children/entities/child-flag.entity.js';
import { PageCursor, PageLimit } from '../../../common/pagination/page-query.decorators.js';

export class RankedQuery {
  @ApiPropertyOptional({
    description: "Service code: the list becomes that service's (referral points + child points)",
  })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9-]{1,40}$/, { message: 'service must be a service code such as "slt"' })
  service?: string;

  @ApiPropertyOptional({ description: 'Provider ODS code, e.g. RXA' })
  @IsOptional()
  @Matches(/^[A-Z0-9]{3,8}$/, { message: 'provider must be an ODS code such as "RXA"' })
  provider?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  locality?: string;

  @ApiPropertyOptional({ description: 'Band code of the active tool, e.g. P1' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9-]{1,20}$/, { message: 'band must be a band code such as "P1"' })
  band?: string;

  @ApiPropertyOptional({ description: 'Only children waiting for two or more services' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean({ message: 'multiNeed must be true or false' })
  multiNeed?: boolean;

  @ApiPropertyOptional({ enum: CHILD_FLAG_CODES })
  @IsOptional()
  @IsIn(CHILD_FLAG_CODES, { message: `flag must be one of: ${CHILD_FLAG_CODES.join(', ')}` })
  flag?: string;

  @ApiPropertyOptional({
    description:
      'Waited this many completed weeks or more (weeksWaited >= minWeeks): 52 gives the 52+ week waits (365 days or more) and waits of exactly 364 days. A wait that cannot be timed (weeksWaited null: a clock nullified after a missed first appointment) never matches a minWeeks above 0',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(520)
  minWeeks?: number;

  @PageLimit(200, 50)
  limit?: number;

  @PageCursor()
  cursor?: string;
}
