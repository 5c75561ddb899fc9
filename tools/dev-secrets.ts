import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';

/**
 * The development token-signing key pair, made once and kept under the data
 * folder so tokens stay valid across restarts. Never used in production,
 * where JWT_PRIVATE_KEY / JWT_PUBLIC_KEY come from the environment.
 */
export function developmentKeys(dataDir: string): { privateKey: string; publicKey: string } {
  const dir = path.join(dataDir, 'keys');
  const privateFile = path.join(dir, 'jwt-ed25519.pem');
  const publicFile = path.join(dir, 'jwt-ed25519.pub.pem');
  if (!existsSync(privateFile) || !existsSync(publicFile)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const keys = generateKeyPairSync('ed25519', {
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    writeFileSync(privateFile, keys.privateKey, { mode: 0o600 });
    writeFileSync(publicFile, keys.publicKey);
  }
  return {
    privateKey: readFileSync(privateFile, 'utf8'),
    publicKey: readFileSync(publicFile, 'utf8'),
  };
}
