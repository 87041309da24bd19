import { Type } from 'class-transformer';
import {
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
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsNotBlank } from '../../common/validation/is-not-blank.decorator.js';

const ID = /^[a-z][a-z0-9-]{1,60}$/;
const ID_MESSAGE =
  'must be 2-61 lower-case letters, digits and hyphens, starting with a letter (e.g. "waiting-time")';
const LEVELS = ['referral', 'child'] as const;

/**
 * Validation groups: a draft (saved, validated, previewed or activated) gets every check; a version
 * once activated is loaded under `activated`, without the checks added since it went live, so they
 * never stop its scores being explained. Validate with `always: true` so ungrouped rules hold in both.
 */
export const TOOL_SCHEMA_GROUPS = { draft: 'draft', activated: 'activated' } as const;
const DRAFT = { groups: [TOOL_SCHEMA_GROUPS.draft] };

/**
 * An optional field that may be left out but not left empty: a bare `cap:` line is YAML null, and
 * taking it as "no cap" (or a bare `when:` as "never") would change the tool without a word.
 */
function OmitOrGive(message: string): PropertyDecorator {
  const decorators = [
    IsOptional({ groups: [TOOL_SCHEMA_GROUPS.activated] }),
    ValidateIf((_: object, value: unknown) => value !== undefined, DRAFT),
    IsDefined({ message, ...DRAFT }),
  ];
  return (target, property) => decorators.forEach((d) => d(target, property));
}

/** Text a person reads in explanations (a name, a label): not empty or only spaces. */
const Written = () => IsNotBlank(1, DRAFT);

/** Schema of the tool document (the YAML). Every problem is reported with the path of its field. */
export class BandSchema {
  @Matches(/^[A-Za-z0-9-]{1,20}$/, {
    message: 'code must be 1-20 letters, digits or hyphens (e.g. "P1" or "red")',
  })
  code: string;

  @IsString()
  @Written()
  @MaxLength(200)
  label: string;

  @OmitOrGive(
    "minScore is empty: give the band's lowest score, or leave out the line on the last band",
  )
  @IsNumber({ allowNaN: false, allowInfinity: false })
  minScore?: number;
}

export class FactorSchema {
  @Matches(ID, { message: `id ${ID_MESSAGE}` })
  id: string;

  @IsString()
  @Written()
  @MaxLength(200)
  label: string;

  @IsIn(LEVELS, { message: 'level must be "referral" or "child"' })
  level: 'referral' | 'child';

  /** JSONLogic; checked by the expression compiler. Left out, the factor always applies. */
  @OmitOrGive(
    'when is required: a JSONLogic condition (leave out the when line if the factor always applies)',
  )
  when?: unknown;

  @IsDefined({ message: 'points is required: a number or a JSONLogic expression giving a number' })
  points: unknown;

  @OmitOrGive('cap is empty: give the most points the factor can give, or leave out the line')
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  cap?: number;

  @OmitOrGive('services is empty: list service codes, or leave out the line for every service')
  @IsArray()
  @ArrayMinSize(1)
  @IsString({ each: true })
  services?: string[];

  @OmitOrGive('explain is empty: give the words of the explanation, or leave out the line')
  @IsString()
  @MaxLength(500)
  explain?: string;
}

export class TriggerSchema {
  @Matches(ID, { message: `id ${ID_MESSAGE}` })
  id: string;

  @IsString()
  @Written()
  @MaxLength(200)
  label: string;

  @IsIn(LEVELS, { message: 'level must be "referral" or "child"' })
  level: 'referral' | 'child';

  @IsDefined({ message: 'when is required: a JSONLogic condition' })
  when: unknown;

  @OmitOrGive('services is empty: list service codes, or leave out the line for every service')
  @IsArray()
  @ArrayMinSize(1)
  @IsString({ each: true })
  services?: string[];

  @OmitOrGive('band is empty: give a band code, or leave out the line for the triggerBand')
  @IsString()
  band?: string;

  @OmitOrGive('explain is empty: give the words of the explanation, or leave out the line')
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
  @Written()
  @MaxLength(200)
  name: string;

  @OmitOrGive('description is empty: give one, or leave out the line')
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
