import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class ListAlertsQuery {
  @ApiPropertyOptional({ enum: ['open', 'acknowledged', 'all'], default: 'open' })
  @IsOptional()
  @IsIn(['open', 'acknowledged', 'all'], {
    message: 'status must be one of: open, acknowledged, all',
  })
  status?: 'open' | 'acknowledged' | 'all';

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
  @MaxLength(200)
  cursor?: string;
}
