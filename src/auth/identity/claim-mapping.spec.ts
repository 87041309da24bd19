import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { claimValues, mapClaims } from './claim-mapping.js';
import { ClaimMapping } from './identity-config.js';

const mapping = (raw: object) => plainToInstance(ClaimMapping, raw);
const DEFAULT = new ClaimMapping();
const CHILD = '0b7c2d3e-1f20-4a5b-8c6d-7e8f9a0b1c2d';

describe('claimValues', () => {
  it('should read an exact claim name even when it contains dots', () => {
    expect(
      claimValues({ 'https://example.org/roles': ['a'] }, 'https://example.org/roles'),
    ).toEqual(['a']);
  });

  it('should follow a dotted path through arrays of objects', () => {
    const payload = {
      nhsid_nrbac_roles: [{ role_code: 'R1', org_code: 'QZZ' }, { role_code: 'R2' }],
    };
    expect(claimValues(payload, 'nhsid_nrbac_roles.role_code')).toEqual(['R1', 'R2']);
    expect(claimValues(payload, 'nhsid_nrbac_roles.org_code')).toEqual(['QZZ']);
    expect(claimValues(payload, 'nhsid_nrbac_roles.missing')).toEqual([]);
  });
});

describe('mapClaims', () => {
  it.each([
    [
      'clinician with services',
      { sub: 'c1', waitwell_role: 'clinician', waitwell_services: ['slt', 'slt', 'mental-health'] },
      { role: 'clinician', services: ['slt', 'mental-health'] },
    ],
    [
      'clinician with a space-separated services claim',
      { sub: 'c1', waitwell_role: 'clinician', waitwell_services: 'slt neurodiversity' },
      { services: ['slt', 'neurodiversity'] },
    ],
    [
      'commissioner with an ICB',
      { sub: 'm1', waitwell_role: 'commissioner', waitwell_commissioner: 'qzz' },
      { role: 'commissioner', commissionerCode: 'QZZ', services: [] },
    ],
    [
      'admin (services ignored)',
      { sub: 'a1', waitwell_role: 'admin', waitwell_services: ['slt'] },
      { role: 'admin', services: [] },
    ],
    [
      'family with an NHS number in display form',
      { sub: 'f1', waitwell_role: 'family', nhs_number: '943 476 5919' },
      { role: 'family', nhsNumber: '9434765919' },
    ],
    [
      'family with a child id',
      { sub: 'f1', waitwell_role: 'family', waitwell_child_id: CHILD.toUpperCase() },
      { childId: CHILD },
    ],
  ])('should map a %s', (_, payload, expected) => {
    const result = mapClaims(payload, DEFAULT, 'https://issuer');
    expect(result).toMatchObject({
      ok: true,
      user: { subject: payload.sub, issuer: 'https://issuer', ...expected },
    });
  });

  it.each([
    ['no subject', { waitwell_role: 'admin' }, 'no-subject'],
    ['no role', { sub: 'x' }, 'no-role'],
    ['a role WaitWell does not know', { sub: 'x', waitwell_role: 'superuser' }, 'no-role'],
    ['two roles', { sub: 'x', waitwell_role: ['admin', 'auditor'] }, 'ambiguous-role'],
    [
      'a commissioner without an ICB',
      { sub: 'x', waitwell_role: 'commissioner' },
      'commissioner-without-icb',
    ],
    [
      'a family without child or NHS number',
      { sub: 'x', waitwell_role: 'family' },
      'family-without-child',
    ],
    [
      'a family with an invalid NHS number',
      { sub: 'x', waitwell_role: 'family', nhs_number: '9434765918' },
      'bad-nhs-number',
    ],
    [
      'a family with a child id that is not a UUID',
      { sub: 'x', waitwell_role: 'family', waitwell_child_id: '../1' },
      'bad-child-id',
    ],
  ])('should refuse %s', (_, payload, problem) => {
    expect(mapClaims(payload, DEFAULT)).toEqual({ ok: false, problem });
  });

  it('should map NHS CIS2-style role codes and organisation to WaitWell roles by configuration', () => {
    const cis2 = mapping({
      claims: {
        role: 'nhsid_nrbac_roles.role_code',
        commissioner: 'nhsid_nrbac_roles.org_code',
        services: 'team',
      },
      roleValues: { 'S1:G1:R100': 'commissioner', 'S1:G1:R200': 'clinician' },
      serviceValues: { 'T-SLT': 'slt' },
    });
    const commissioner = mapClaims(
      {
        sub: 'u1',
        nhsid_nrbac_roles: [
          { role_code: 'S1:G1:R100', org_code: 'QZZ' },
          { role_code: 'S9:G9:R999' },
        ],
      },
      cis2,
    );
    expect(commissioner).toMatchObject({
      ok: true,
      user: { role: 'commissioner', commissionerCode: 'QZZ' },
    });
    const clinician = mapClaims(
      { sub: 'u2', nhsid_nrbac_roles: [{ role_code: 'S1:G1:R200' }], team: ['T-SLT', 'T-UNKNOWN'] },
      cis2,
    );
    expect(clinician).toMatchObject({ ok: true, user: { role: 'clinician', services: ['slt'] } });
    // A WaitWell role name in the claim means nothing once roleValues are configured.
    expect(mapClaims({ sub: 'u3', nhsid_nrbac_roles: [{ role_code: 'admin' }] }, cis2)).toEqual({
      ok: false,
      problem: 'no-role',
    });
    expect(
      mapClaims(
        {
          sub: 'u4',
          nhsid_nrbac_roles: [
            { role_code: 'S1:G1:R100', org_code: 'QZZ' },
            { role_code: 'S1:G1:R200' },
          ],
        },
        cis2,
      ),
    ).toEqual({ ok: false, problem: 'ambiguous-role' });
  });

  it('should give every NHS login user the family role, matched on the nhs_number claim', () => {
    const nhsLogin = mapping({ fixedRole: 'family', claims: { nhsNumber: 'nhs_number' } });
    expect(
      mapClaims({ sub: 'p1', nhs_number: '9434765919', waitwell_role: 'admin' }, nhsLogin),
    ).toMatchObject({ ok: true, user: { role: 'family', nhsNumber: '9434765919' } });
    expect(mapClaims({ sub: 'p1' }, nhsLogin)).toEqual({
      ok: false,
      problem: 'family-without-child',
    });
  });
});
