import { KitError } from '@nexus/core';
import { checkUpdateMask } from './field-mask';

describe('checkUpdateMask', () => {
  const updatable = ['title', 'content'] as const;

  it('returns the named fields when all are updatable', () => {
    expect([...checkUpdateMask(['content'], updatable)]).toEqual(['content']);
  });

  it('reads JSON (camelCase) paths as their proto (snake_case) names', () => {
    expect([...checkUpdateMask(['fullName', 'email'], ['full_name', 'email'] as const)]).toEqual([
      'full_name',
      'email',
    ]);
  });

  it('rejects an empty mask and names unknown paths', () => {
    expect(() => checkUpdateMask([], updatable)).toThrow(KitError);
    try {
      checkUpdateMask(['title', 'owner_id'], updatable);
      throw new Error('expected a KitError');
    } catch (error) {
      const { violations } = error as KitError;
      expect(violations).toHaveLength(1);
      expect(violations[0]?.field).toBe('update_mask');
      expect(violations[0]?.description).toContain('owner_id');
    }
  });
});
