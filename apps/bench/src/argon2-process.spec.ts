import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ARGON2ID_OPTIONS } from './argon2-process';

describe('the argon2id ceiling', () => {
  it('hashes with the parameters the users service hashes with', () => {
    // The bench may not import the users app (module boundaries): it reads its source instead.
    const source = readFileSync(
      path.resolve(__dirname, '../../users/src/credentials/password-hasher.ts'),
      'utf8',
    );
    const options = /OWASP_OPTIONS = \{([^}]*)\}/.exec(source)?.[1] ?? '';
    const value = (name: string) =>
      /(\d[\d_]*)/.exec(new RegExp(`${name}: ([^,]+)`).exec(options)?.[1] ?? '')?.[1];
    expect(Number(value('memoryCost')?.replace(/_/g, ''))).toBe(ARGON2ID_OPTIONS.memoryCost);
    expect(Number(value('timeCost'))).toBe(ARGON2ID_OPTIONS.timeCost);
    expect(Number(value('parallelism'))).toBe(ARGON2ID_OPTIONS.parallelism);
    expect(source).toMatch(/const ARGON2ID = 2 as Algorithm/);
    expect(ARGON2ID_OPTIONS.algorithm).toBe(2);
  });
});
