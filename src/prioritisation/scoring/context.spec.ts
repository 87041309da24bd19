import { describe, expect, it } from '@jest/globals';
import { addSorted, childVars, resolveVar } from './context.js';

describe(addSorted.name, () => {
  it('should keep the distinct values in the order sort() gives them', () => {
    const values = ['slt', 'RYB', 'mental-health', 'slt', 'RXA', 'é', 'Z', 'a', 'RXA', '', 'slt2'];
    const list: string[] = [];
    for (const v of values) addSorted(list, v);
    expect(list).toEqual([...new Set(values)].sort());
    // Every order of the same values gives the same list.
    for (let shift = 1; shift < values.length; shift++) {
      const again: string[] = [];
      for (const v of [...values.slice(shift), ...values.slice(0, shift)]) addSorted(again, v);
      expect(again).toEqual(list);
    }
  });
});

describe(childVars.name, () => {
  it("should give the child's services and providers distinct and sorted", () => {
    const referral = (service: string, provider: string) => ({
      referralId: `${service}-${provider}`,
      service,
      provider,
      priority: 'routine',
      daysWaited: 10,
      targetWeeks: 18,
    });
    const vars = childVars({
      childId: 'c',
      ageYears: 4,
      ageMonths: 50,
      locality: null,
      deprivationDecile: null,
      flags: [],
      flagDetails: [],
      checkIn: null,
      referrals: [
        referral('slt', 'RYB'),
        referral('neurodiversity', 'RXA'),
        referral('slt', 'RXA'),
        referral('community-paediatrics', 'RYB'),
      ],
    });
    expect(vars.services).toEqual(['community-paediatrics', 'neurodiversity', 'slt']);
    expect(vars.providers).toEqual(['RXA', 'RYB']);
    expect(vars.serviceCount).toBe(3);
    expect(vars.openReferrals).toBe(4);
  });
});

describe(resolveVar.name, () => {
  it.each(['constructor', '__proto__', 'child.constructor', 'referral.toString'])(
    'should refuse %s rather than read a member every object has',
    (name) => {
      expect(() => resolveVar(name)).toThrow(`"${name}" is not a rule variable`);
    },
  );
});
