import { Type } from 'class-transformer';
import {
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { DocumentValidationError, loadYamlDocument } from '../../config/validate-document.js';
import { ROLES, type Role } from '../auth-user.js';

// A claim name ("nhs_number", "https://example.org/roles") or a dotted path into nested claims
// ("nhsid_nrbac_roles.role_code": arrays on the way are searched element by element).
const CLAIM_PATH = /^[\w:/.#-]{1,200}$/;
const claimMessage = {
  message: 'must be a claim name or a dotted path such as nhsid_nrbac_roles.role_code',
};

/** Which claim of the provider's token carries each WaitWell fact. Unset names take the WaitWell defaults. */
export class ClaimNames {
  @IsOptional() @Matches(CLAIM_PATH, claimMessage) subject?: string;
  @IsOptional() @Matches(CLAIM_PATH, claimMessage) role?: string;
  @IsOptional() @Matches(CLAIM_PATH, claimMessage) services?: string;
  @IsOptional() @Matches(CLAIM_PATH, claimMessage) childId?: string;
  @IsOptional() @Matches(CLAIM_PATH, claimMessage) nhsNumber?: string;
  @IsOptional() @Matches(CLAIM_PATH, claimMessage) commissioner?: string;
}

export type ResolvedClaimNames = Required<ClaimNames>;

/** WaitWell's own claim names: what the local demo provider issues, and the default for any issuer. */
export const DEFAULT_CLAIM_NAMES: ResolvedClaimNames = {
  subject: 'sub',
  role: 'waitwell_role',
  services: 'waitwell_services',
  childId: 'waitwell_child_id',
  nhsNumber: 'nhs_number',
  commissioner: 'waitwell_commissioner',
};

export class ClaimMapping {
  @IsOptional()
  @ValidateNested()
  @Type(() => ClaimNames)
  claims: ClaimNames = new ClaimNames();

  /** Every user of this issuer has this role (e.g. family for NHS login); the role claim is then ignored. */
  @IsOptional()
  @IsIn(ROLES, { message: `fixedRole must be one of: ${ROLES.join(', ')}` })
  fixedRole?: Role;

  /** Provider role values (e.g. NHS CIS2 role codes) to WaitWell roles. Without it the claim must hold a WaitWell role name. */
  @IsOptional()
  @IsObject()
  roleValues?: Record<string, string>;

  /** Provider values for services (e.g. a team code) to WaitWell service codes. Without it the values are service codes. */
  @IsOptional()
  @IsObject()
  serviceValues?: Record<string, string>;
}

export class TrustedIssuerConfig extends ClaimMapping {
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  issuer: string;

  /** Defaults to WAITWELL_OIDC_AUDIENCE. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  audience?: string;

  /** Defaults to the jwks_uri of the issuer's discovery document. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  jwksUri?: string;
}

/** config/identity.yaml: how sign-in tokens become WaitWell users. Validated at boot. */
export class IdentityConfig {
  /** Mapping for WAITWELL_OIDC_ISSUER (e.g. NHS CIS2 for staff). The local demo provider always uses the defaults. */
  @IsOptional()
  @ValidateNested()
  @Type(() => ClaimMapping)
  primary: ClaimMapping = new ClaimMapping();

  /** Further trusted issuers, each with its own mapping (e.g. NHS login for families). */
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => TrustedIssuerConfig)
  additionalIssuers: TrustedIssuerConfig[] = [];

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(300)
  clockSkewSeconds: number = 30;

  /** How long a family link sent in a message stays valid. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(90)
  familyLinkDays: number = 14;

  /** How long the session a family link is exchanged for lasts. */
  @IsOptional()
  @IsInt()
  @Min(5)
  @Max(240)
  familySessionMinutes: number = 30;

  /** Roles that may use break-glass (X-Break-Glass-Reason) on routes that allow it. */
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(['commissioner', 'clinician'], {
    each: true,
    message: 'breakGlassRoles may hold commissioner and clinician only',
  })
  breakGlassRoles: Role[] = ['commissioner', 'clinician'];

  @IsOptional()
  @IsInt()
  @Min(5)
  @Max(200)
  breakGlassMinReasonLength: number = 10;
}

/** Checks what class-validator cannot: role values are WaitWell roles, issuers are listed once. */
export function identityProblems(c: IdentityConfig): string[] {
  const problems: string[] = [];
  const checkMapping = (m: ClaimMapping, path: string) => {
    for (const [value, role] of Object.entries(m.roleValues ?? {})) {
      if (!ROLES.includes(role as Role)) {
        problems.push(
          `${path}.roleValues.${value}: "${role}" is not a WaitWell role (${ROLES.join(', ')})`,
        );
      }
    }
    for (const [value, service] of Object.entries(m.serviceValues ?? {})) {
      if (typeof service !== 'string' || !/^[a-z][a-z0-9-]{1,40}$/.test(service)) {
        problems.push(`${path}.serviceValues.${value}: must be a service code`);
      }
    }
  };
  checkMapping(c.primary, 'primary');
  c.additionalIssuers.forEach((issuer, i) => checkMapping(issuer, `additionalIssuers[${i}]`));
  const issuers = c.additionalIssuers.map((i) => i.issuer);
  for (const dup of issuers.filter((x, i) => issuers.indexOf(x) !== i)) {
    problems.push(`additionalIssuers: "${dup}" appears twice`);
  }
  return problems;
}

/** Loads and validates the identity file. Throws naming every bad field (values are never echoed). */
export function loadIdentityConfig(file: string): IdentityConfig {
  const config = loadYamlDocument(IdentityConfig, file);
  const problems = identityProblems(config);
  if (problems.length > 0) throw new DocumentValidationError(file, problems);
  return config;
}

export function resolvedClaimNames(m: ClaimMapping): ResolvedClaimNames {
  const out = { ...DEFAULT_CLAIM_NAMES };
  for (const key of Object.keys(out) as Array<keyof ResolvedClaimNames>) {
    const name = m.claims?.[key];
    if (name) out[key] = name;
  }
  return out;
}
