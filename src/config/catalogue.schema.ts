import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

export const MEASUREMENT_REGIMES = ['CONSULTANT_RTT', 'AHP_RTT', 'CYPMH', 'NONE'] as const;
export type MeasurementRegime = (typeof MEASUREMENT_REGIMES)[number];

export class ServiceConfig {
  @Matches(/^[a-z][a-z0-9-]{1,40}$/, {
    message: 'code must be 2-41 lower-case letters, digits and hyphens, starting with a letter',
  })
  code: string;
  @IsString() name: string;
  @IsString() publicName: string;
  @IsInt() @Min(1) @Max(260) targetWeeks: number = 18;
  @IsIn(MEASUREMENT_REGIMES) measurementRegime: MeasurementRegime;
  @IsOptional() @Matches(/^[0-9A-Z]{3}$/) treatmentFunction?: string;
}

export class ProviderConfig {
  @Matches(/^[A-Z0-9]{3,8}$/, {
    message: 'code must be an ODS code (3-8 upper-case letters/digits)',
  })
  code: string;
  @IsString() name: string;
  @Matches(/^[A-Z0-9]{3,8}$/) commissioner: string;
}

export class CommissionerConfig {
  @Matches(/^[A-Z0-9]{3,8}$/) code: string;
  @IsString() name: string;
}

export class CatalogueConfig {
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => ServiceConfig)
  services: ServiceConfig[];
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => ProviderConfig)
  providers: ProviderConfig[];
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CommissionerConfig)
  commissioners: CommissionerConfig[];
}
