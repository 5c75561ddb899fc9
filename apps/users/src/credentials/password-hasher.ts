import { hash, verify, type Algorithm } from '@node-rs/argon2';

/**
 * argon2id with the OWASP Password Storage Cheat Sheet's first option:
 * m = 19 MiB, t = 2, p = 1. `Algorithm` is a const enum that isolated
 * transpilation cannot inline, hence the literal.
 */
const ARGON2ID = 2 as Algorithm;
const OWASP_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export class PasswordHasher {
  /** A hash of a random password, verified against when the login is unknown, so timing does not tell. */
  private decoy: Promise<string> | null = null;

  hash(password: string): Promise<string> {
    return hash(password, OWASP_OPTIONS);
  }

  async verify(passwordHash: string | null, password: string): Promise<boolean> {
    if (passwordHash === null) {
      this.decoy ??= this.hash(`decoy-${Math.random()}`);
      await verify(await this.decoy, password);
      return false;
    }
    return verify(passwordHash, password);
  }
}
