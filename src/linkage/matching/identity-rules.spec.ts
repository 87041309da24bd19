import { describe, expect, it } from '@jest/globals';
import { nameKey, postcodeKey, resolveIdentity, type SourceIdentity } from './identity-rules.js';

const at = (n: number) => ({ name: n, dateOfBirth: n, address: n, contact: n });
const source = (sourceId: string, o: Partial<SourceIdentity> = {}): SourceIdentity => ({
  sourceId,
  nameKey: nameKey('Maya', 'Patel'),
  dateOfBirth: '2016-03-01',
  postcodeKey: postcodeKey('NB1 4AB'),
  changedAt: at(1),
  ...o,
});

describe('identity rules', () => {
  it('should compare names ignoring case, accents, punctuation and spacing, and postcodes ignoring spaces', () => {
    expect(nameKey('Zoë', "O'Brien")).toBe(nameKey('ZOE', 'O Brien'));
    expect(nameKey('Anne-Marie', 'Smith')).toBe(nameKey('anne marie', '  SMITH '));
    expect(nameKey('Ann', 'Smith')).not.toBe(nameKey('Anne', 'Smith'));
    expect(postcodeKey('nb1 4ab')).toBe(postcodeKey('NB14AB'));
  });

  it('should keep one source without conflicts when all agree', () => {
    expect(resolveIdentity([source('a'), source('b', { changedAt: at(2) })])).toEqual({
      keep: { name: 'b', dateOfBirth: 'b', address: 'b', contact: 'b' },
      conflicts: [],
    });
  });

  it('should keep, per group of fields, the value most recently changed by any source', () => {
    const r = resolveIdentity([
      source('a', {
        dateOfBirth: '2016-03-02',
        changedAt: { name: 1, dateOfBirth: 5, address: 1, contact: 9 },
      }),
      source('b', { changedAt: { name: 3, dateOfBirth: 2, address: 4, contact: 1 } }),
    ]);
    expect(r.keep).toEqual({ name: 'b', dateOfBirth: 'a', address: 'b', contact: 'a' });
    expect(r.conflicts).toEqual([
      { field: 'date-of-birth', keptSourceId: 'a', sourceIds: ['a', 'b'] },
    ]);
  });

  it('should record a conflict per disagreeing field, and ignore a source that gives no postcode or name', () => {
    const r = resolveIdentity([
      source('a', { nameKey: nameKey('Maia', 'Patel'), postcodeKey: 'EF23DE', changedAt: at(1) }),
      source('b', { changedAt: at(2) }),
      source('c', { nameKey: nameKey(null, null), postcodeKey: '', changedAt: at(3) }),
    ]);
    expect(r.conflicts).toEqual([
      { field: 'name', keptSourceId: 'c', sourceIds: ['a', 'b'] },
      { field: 'postcode', keptSourceId: 'c', sourceIds: ['a', 'b'] },
    ]);
  });

  it('should break a tie deterministically', () => {
    expect(resolveIdentity([source('z'), source('m')]).keep.name).toBe('m');
    expect(() => resolveIdentity([])).toThrow(RangeError);
  });
});
