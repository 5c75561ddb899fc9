import { scramVerifier } from './scram-verifier';

// PostgreSQL 15's own verifier for the password 'pencil ½' (CREATE ROLE ... PASSWORD
// with password_encryption = scram-sha-256), read back from pg_authid. ½ is
// NFKC-normalized to "1⁄2" by SASLprep, so the vector also pins the normalization.
const POSTGRES_VERIFIER =
  'SCRAM-SHA-256$4096:aAjEnk0JH/7eIr0gx1IswA==$fLsUR/ssVBt2ToUR4e3ank6oFazrrJRKIM7zOA/M9EM=:hs0phRnqGVVKhcSiVI1xLE7mJlyRHC8ia2lYk06hziQ=';

it("computes the verifier PostgreSQL stores for a password, given the server's salt", () => {
  const salt = Buffer.from('aAjEnk0JH/7eIr0gx1IswA==', 'base64');
  expect(scramVerifier('pencil ½', salt)).toBe(POSTGRES_VERIFIER);
});

it('salts every verifier anew, so equal passwords do not give equal verifiers', () => {
  expect(scramVerifier('same password')).not.toBe(scramVerifier('same password'));
  expect(scramVerifier('same password')).toMatch(/^SCRAM-SHA-256\$4096:[^$]+\$[^:]+:[^:]+$/);
});
