import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  Min,
} from 'class-validator';

const toBool = ({ value }: { value: unknown }) =>
  value === undefined
    ? undefined
    : typeof value === 'boolean'
      ? value
      : typeof value === 'string' && ['1', 'true', 'yes'].includes(value.toLowerCase());

export class ListImportsQuery {
  @ApiPropertyOptional({ description: 'Source id' })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9-]{1,60}$/, { message: 'source must be a source id such as "rxa-slt"' })
  source?: string;

  @ApiPropertyOptional({ enum: ['running', 'succeeded', 'failed'] })
  @IsOptional()
  @IsIn(['running', 'succeeded', 'failed'], {
    message: 'status must be running, succeeded or failed',
  })
  status?: string;

  @ApiPropertyOptional({ default: 50, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'The "next" value from the previous page' })
  @IsOptional()
  @IsString()
  cursor?: string;
}

export class RunIdParams {
  @IsUUID('all', { message: 'id must be an import run id' })
  id: string;
}

export class SourceIdParams {
  @Matches(/^[a-z0-9][a-z0-9-]{1,60}$/, { message: 'id must be a source id such as "rxa-slt"' })
  id: string;
}

export class PullQuery {
  @ApiPropertyOptional({
    description: 'Answer when the run has finished (200) instead of at once (202)',
    default: false,
  })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  wait?: boolean;
}

export class ListRejectsQuery {
  @ApiPropertyOptional({
    description: 'Also list rejects a later pull has cleared (their raw rows are gone)',
    default: false,
  })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  includeCleared?: boolean;

  @ApiPropertyOptional({ default: 100, maximum: 500 })
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
