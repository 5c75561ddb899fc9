import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rolePasswords } from './role-passwords';

const ROLES = ['nexus_users', 'nexus_work'];

it('gives every role its own password, the same on every start with the same owner', () => {
  const owner = 'postgres://postgres:secret@127.0.0.1:5433/nexus';
  const first = rolePasswords(owner, ROLES);
  expect(first.nexus_users).not.toBe(first.nexus_work);
  expect(first.nexus_users).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(rolePasswords(owner, ROLES)).toEqual(first);
});

it('agrees across databases and addresses of one server, so parallel stacks keep the same passwords', () => {
  expect(rolePasswords('postgres://postgres:secret@localhost:5433/test_1', ROLES)).toEqual(
    rolePasswords('postgres://postgres:secret@127.0.0.1:5433/test_2?sslmode=disable', ROLES),
  );
});

it("changes with the owner's password or user", () => {
  const base = rolePasswords('postgres://postgres:secret@h/nexus', ROLES);
  expect(rolePasswords('postgres://postgres:other@h/nexus', ROLES).nexus_users).not.toBe(
    base.nexus_users,
  );
  expect(rolePasswords('postgres://admin:secret@h/nexus', ROLES).nexus_users).not.toBe(
    base.nexus_users,
  );
});

it('keys an owner without a password with a random secret made once in the data folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-role-passwords-'));
  try {
    const owner = 'postgres://postgres@127.0.0.1:5433/nexus';
    const first = rolePasswords(owner, ROLES, dir);
    expect(rolePasswords(owner, ROLES, dir)).toEqual(first);
    expect(statSync(join(dir, 'keys', 'database-roles.key')).mode & 0o777).toBe(0o600);
    const elsewhere = mkdtempSync(join(tmpdir(), 'nexus-role-passwords-'));
    try {
      expect(rolePasswords(owner, ROLES, elsewhere).nexus_users).not.toBe(first.nexus_users);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
    expect(() => rolePasswords(owner, ROLES)).toThrow(/no password/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
