import { generateKeyPairSync } from 'node:crypto';
import { aiUsageConfig } from './config';

describe('aiUsageConfig', () => {
  const env = {
    DATABASE_URL: 'postgres://u:p@127.0.0.1:5433/nexus',
    KAFKA_BROKERS: '127.0.0.1:9092',
    JWT_PUBLIC_KEY: generateKeyPairSync('ed25519')
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString(),
  };

  it('takes the prompt-hash secret from AI_PROMPT_HASH_SECRET', () => {
    const secret = 'x'.repeat(32);
    expect(aiUsageConfig({ ...env, AI_PROMPT_HASH_SECRET: secret }).promptHashSecret).toBe(secret);
  });

  it('uses a fixed development secret outside production', () => {
    const first = aiUsageConfig({ ...env, NODE_ENV: 'development' }).promptHashSecret;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(aiUsageConfig({ ...env, NODE_ENV: 'test' }).promptHashSecret).toBe(first);
  });

  it('refuses to start in production without a secret', () => {
    expect(() => aiUsageConfig({ ...env, NODE_ENV: 'production' })).toThrow(
      'AI_PROMPT_HASH_SECRET: required when NODE_ENV=production',
    );
  });
});
