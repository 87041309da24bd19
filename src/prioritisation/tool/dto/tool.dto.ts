import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  Validate,
  type ValidationArguments,
  ValidateIf,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import type { ToolVersionRow } from '../tool-versions.repository.js';
import { PageCursor, PageLimit } from '../../../common/pagination/page-query.decorators.js';
import { IsNotBlank } from '../../../common/validation/is-not-blank.decorator.js';

export class ToolIdParams {
  @IsUUID('all', {
    message:
      'id must be a tool version id (a UUID); list versions with GET /api/prioritisation/tools',
  })
  id: string;
}

export class ToolSourceBody {
  @ApiProperty({ description: 'The tool document as YAML (JSON is valid YAML too)' })
  @IsString()
  @IsNotBlank()
  @MaxLength(200_000, { message: 'source must be at most 200,000 characters' })
  source: string;
}

export class SaveToolBody extends ToolSourceBody {
  @ApiProperty({ description: 'Why this version: what changed and who agreed it' })
  @IsString()
  @IsNotBlank(3)
  @MaxLength(4000)
  rationale: string;
}

export class ActivateToolBody {
  @ApiProperty({
    description: 'Why this version goes live (e.g. the co-production group decision)',
  })
  @IsString()
  @IsNotBlank(3)
  @MaxLength(4000)
  rationale: string;
}

/** A preview takes a draft's source or a stored version's id: one of them, not both. */
@ValidatorConstraint({ name: 'sourceOrToolVersionId' })
class SourceOrToolVersionId implements ValidatorConstraintInterface {
  validate(_: unknown, args: ValidationArguments): boolean {
    return (args.object as PreviewBody).toolVersionId === undefined;
  }
  defaultMessage(): string {
    return 'give source (a draft tool document) or toolVersionId (a stored version), not both';
  }
}

export class PreviewBody {
  @ApiPropertyOptional({ description: 'A draft tool document (YAML); or give toolVersionId' })
  @ValidateIf((o: PreviewBody) => o.source !== undefined || o.toolVersionId === undefined)
  @IsDefined({
    message:
      'source is required unless toolVersionId is given: a draft tool document (YAML) to preview, or toolVersionId, the id of a stored version',
  })
  @Validate(SourceOrToolVersionId)
  @IsString()
  @IsNotBlank()
  @MaxLength(200_000)
  source?: string;

  @ApiPropertyOptional({ description: 'A stored version to preview instead of source' })
  @IsOptional()
  @IsUUID('all', { message: 'toolVersionId must be a tool version id (a UUID)' })
  toolVersionId?: string;
}

export class RunsQuery {
  @PageLimit(200, 20)
  limit?: number;

  @PageCursor()
  cursor?: string;
}

export class RunIdParams {
  @IsUUID('all', { message: 'id must be a run id (a UUID)' })
  id: string;
}

export class NoticesQuery {
  @ApiPropertyOptional({ description: 'Only notices not yet marked read' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean({ message: 'unread must be true or false' })
  unread?: boolean;

  @PageLimit(200, 50)
  limit?: number;

  @PageCursor()
  cursor?: string;
}

export class NoticeIdParams {
  @IsUUID('all', { message: 'id must be a notice id (a UUID)' })
  id: string;
}

export class ToolVersionSummary {
  @ApiProperty() id: string;
  @ApiProperty() version: number;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['draft', 'active', 'retired'] }) status: string;
  @ApiProperty() valid: boolean;
  @ApiProperty({ type: [String] }) problems: string[];
  @ApiProperty() author: string;
  @ApiProperty() rationale: string;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty({ nullable: true }) firstActivatedAt: string | null;
}

export class ToolActivationView {
  @ApiProperty() activatedAt: string;
  @ApiProperty() activatedBy: string;
  @ApiProperty() rationale: string;
}

export class ToolVersionDetail extends ToolVersionSummary {
  @ApiProperty({ description: 'The YAML document' }) source: string;
  @ApiProperty({ type: [ToolActivationView] }) activations: ToolActivationView[];
}

export class ValidationReport {
  @ApiProperty() valid: boolean;
  @ApiProperty({ type: [String], description: 'Each problem names the field or rule path' })
  problems: string[];
  @ApiPropertyOptional() name?: string;
  @ApiPropertyOptional({ type: [String] }) bands?: string[];
  @ApiPropertyOptional({ type: [String] }) factors?: string[];
  @ApiPropertyOptional({ type: [String] }) triggers?: string[];
}

const iso = (v: string | Date | null) => (v === null ? null : new Date(v).toISOString());

export function toToolVersionSummary(r: ToolVersionRow): ToolVersionSummary {
  return {
    id: r.id,
    version: r.version,
    name: r.name,
    status: r.status,
    valid: r.valid,
    problems: r.problems,
    author: r.authorSubject,
    rationale: r.rationale,
    createdAt: iso(r.createdAt) as string,
    updatedAt: iso(r.updatedAt) as string,
    firstActivatedAt: iso(r.firstActivatedAt),
  };
}
