import { createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The passwords of the service roles on npm start's stack, derived rather than stored:
 * HMAC-SHA256 of the role name, keyed with a slow hash (PBKDF2, 600,000 rounds)
 * of the owner's own credentials. Whoever can read the owner's URL controls the
 * database anyway; everyone starting the platform with the same owner gets the
 * same passwords, so two stacks on one server (two databases, parallel test
 * runs) never overwrite each other's cluster-wide role passwords, and a changed
 * owner password changes them all at the next start. The slow hash keeps a
 * leaked role password from being an easy way to guess the owner's.
 *
 * An owner URL without a password (trust or peer authentication) has nothing
 * secret to derive from: then the key is a random secret made once and kept in
 * `<secretDir>/keys/database-roles.key`, like the development JWT keys.
 */
export function rolePasswords(
  ownerUrl: string,
  roles: readonly string[],
  secretDir?: string,
): Record<string, string> {
  const owner = new URL(ownerUrl);
  const ownerPassword = decodeURIComponent(owner.password);
  const key = ownerPassword
    ? pbkdf2Sync(
        ownerPassword,
        `nexus-database-roles:${decodeURIComponent(owner.username)}`,
        600_000,
        32,
        'sha256',
      )
    : storedSecret(secretDir);
  return Object.fromEntries(
    roles.map((role) => [role, createHmac('sha256', key).update(role).digest('base64url')]),
  );
}

function storedSecret(secretDir: string | undefined): Buffer {
  if (!secretDir)
    throw new Error(
      'the owner URL has no password to derive the role passwords from, and no folder to keep a secret in',
    );
  const dir = join(secretDir, 'keys');
  const file = join(dir, 'database-roles.key');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    try {
      writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another start made it first: use theirs.
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
    }
  }
  return Buffer.from(readFileSync(file, 'utf8'), 'base64');
}
