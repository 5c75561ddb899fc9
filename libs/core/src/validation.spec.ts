import { z } from 'zod';
import { KitError } from './kit-error';
import { validate } from './validation';

describe('validate', () => {
  const schema = z.object({ fullName: z.string().min(1), email: z.email() });

  it('returns the parsed value when every field is valid', () => {
    expect(validate(schema, { fullName: 'Ada', email: 'ada@example.com' })).toEqual({
      fullName: 'Ada',
      email: 'ada@example.com',
    });
  });

  it('reports every bad field by its snake_case proto path', () => {
    let caught: unknown;
    try {
      validate(schema, { fullName: '', email: 'nope' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(KitError);
    const kitError = caught as KitError;
    expect(kitError.kind).toBe('invalid_argument');
    expect(kitError.violations.map((v) => v.field).sort()).toEqual(['email', 'full_name']);
  });
});
