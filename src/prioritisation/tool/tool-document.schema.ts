import { Type } from 'class-transformer';
import {
  Allow,
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

const ID = /^[a-z][a-z0-9-]{1,60}$/;
const ID_MESSAGE =
  'must be 2-61 lower-case letters, digits and hyphens, starting with a letter (e.g. "waiting-time")';
const LEVELS = ['referral', 'child'] as const;

/** Schema of the tool document (the YAML). Every problem is reported with the path of its field. */
export class BandSchema {
  @Matches(/^[A-Za-z0-9-]{1,20}$/, {
    message: 'code must be 1-20 letters, digits or hyphens (e.g. "P1" or "red")',
  })
  code: string;

  @IsString()
  @MaxLength(200)
  label: string;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  minScore?: number;
}

export class FactorSchema {
  @Matches(ID, { message: `id ${ID_MESSAGE}` })
  id: string;

  @IsString()
  @MaxLength(200)
  label: string;

  @IsIn(LEVELS, { message: 'level must be "referral" or "child"' })
  level: 'referral' | 'child';

  /** JSONLogic; checked by the expression compiler. */
  @Allow()
  when?: unknown;

  @IsDefined({ message: 'points is required: a number or a JSONLogic expression giving a number' })
  points: unknown;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  cap?: number;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @IsString({ each: true })
  services?: string[];

  @IsOptional()
  @IsString()
  @MaxLength(500)
  explain?: string;
}

export class TriggerSchema {
  @Matches(ID, { message: `id ${ID_MESSAGE}` })
  id: string;

  @IsString()
  @MaxLength(200)
  label: string;

  @IsIn(LEVELS, { message: 'level must be "referral" or "child"' })
  level: 'referral' | 'child';

  @IsDefined({ message: 'when is required: a JSONLogic condition' })
  when: unknown;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @IsString({ each: true })
  services?: string[];

  @IsOptional()
  @IsString()
  band?: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  explain?: string;
}

export class CombineSchema {
  @IsIn(['highest', 'sum'], {
    message: 'referrals must be "highest" (the best referral score counts) or "sum"',
  })
  referrals: 'highest' | 'sum';
}

export class ToolDocumentSchema {
  @IsString()
  @MaxLength(200)
  name: string;

  @IsOptional()
  @IsString()
  @MaxLength(4000)
  description?: string;

  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => BandSchema)
  bands: BandSchema[];

  @IsString()
  triggerBand: string;

  @ValidateNested()
  @Type(() => CombineSchema)
  @IsDefined()
  combine: CombineSchema;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => FactorSchema)
  factors: FactorSchema[];

  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => TriggerSchema)
  triggers: TriggerSchema[] = [];
}
