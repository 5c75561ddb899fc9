import { generateKeyPairSync } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { createUsersClient, type UsersClient } from '@nexus/clients';
import { uuidv7 } from '@nexus/core';
import { keyId } from '@nexus/grpc';
import { usersV1 } from '@nexus/proto';
import { TEST_PASSWORD, startAppProcess, type AppProcess } from '@nexus/testing';
import { RawClient, codeName } from './raw-call';

/**
 * Rotating the token-signing key as docs/security.md says, under load:
 * every service already trusts the new public key beside the old one; users
 * replicas are replaced by ones signing with the new key; no call fails,
 * tokens of the old key keep working until the old key is removed.
 */
const LIST_DOCUMENTS = '/nexus.content.v1.DocumentService/ListDocuments';

const keyPair = () =>
  generateKeyPairSync('ed25519', {
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
const oldKey = keyPair();
const newKey = keyPair();
const bothPublic = `${oldKey.publicKey}${newKey.publicKey}`;

const started: AppProcess[] = [];
const start = async (app: string, env: Record<string, string>) => {
  const process = await startAppProcess(app, env);
  started.push(process);
  return process;
};
const kidOf = (token: string): string =>
  (JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as { kid: string }).kid;

afterAll(async () => {
  await Promise.all(started.map((process) => process.stop()));
});

describe('signing key rotation', () => {
  it('replaces the signing key under load with no failed call, and old tokens verify until the old key goes', async () => {
    const oldUsers = await start('users', {
      JWT_PRIVATE_KEY: oldKey.privateKey,
      JWT_PUBLIC_KEY: bothPublic,
    });
    const content = await start('content', {
      JWT_PUBLIC_KEY: bothPublic,
      USERS_GRPC_ADDRESS: oldUsers.grpcAddress,
    });
    const email = `rot-${uuidv7().slice(-12)}@example.com`;
    let users: UsersClient = createUsersClient({ address: oldUsers.grpcAddress });
    await users.createUser({
      user: usersV1.User.fromPartial({
        email,
        username: `rot-${uuidv7().slice(-12)}`,
        fullName: 'R',
      }),
      password: TEST_PASSWORD,
      requestId: '',
    });

    // The load: sign in on whichever users replica is current, then call
    // content with the new token and with every token issued so far.
    const contentClient = new RawClient(content.grpcAddress);
    const tokens: string[] = [];
    const failures: string[] = [];
    let calls = 0;
    let loading = true;
    const load = (async () => {
      while (loading) {
        try {
          const session = await users.authenticate(
            usersV1.AuthenticateRequest.fromPartial({ login: email, password: TEST_PASSWORD }),
          );
          tokens.push(session.accessToken);
        } catch (error) {
          failures.push(`sign-in: ${(error as Error).message}`);
        }
        for (const token of tokens.slice(-20)) {
          const outcome = await contentClient.call(LIST_DOCUMENTS, Buffer.alloc(0), token);
          calls += 1;
          if (outcome.code !== status.OK)
            failures.push(`${codeName(outcome.code)} ${outcome.details}`);
        }
      }
    })();

    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // The rolling restart of users: a replica with the new key comes up, the old one goes.
    const newUsers = await start('users', {
      JWT_PRIVATE_KEY: newKey.privateKey,
      JWT_PUBLIC_KEY: bothPublic,
    });
    const oldClient = users;
    users = createUsersClient({ address: newUsers.grpcAddress });
    await oldUsers.stop();
    oldClient.close();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    loading = false;
    await load;
    contentClient.close();

    expect(failures).toEqual([]);
    const kids = new Set(tokens.map(kidOf));
    expect(kids).toEqual(new Set([keyId(oldKey.publicKey), keyId(newKey.publicKey)]));
    expect(calls).toBeGreaterThan(10);
    const jwks = await users.getJwks({});
    expect(jwks.keys.map((key) => key.kid).sort()).toEqual([...kids].sort());

    // After the old key's tokens have expired it is removed from the config:
    // its tokens are refused, the new key's still work.
    const newOnly = await start('content', {
      JWT_PUBLIC_KEY: newKey.publicKey,
      USERS_GRPC_ADDRESS: newUsers.grpcAddress,
    });
    const newOnlyClient = new RawClient(newOnly.grpcAddress);
    const oldToken = tokens.find((token) => kidOf(token) === keyId(oldKey.publicKey))!;
    const newToken = tokens.find((token) => kidOf(token) === keyId(newKey.publicKey))!;
    expect((await newOnlyClient.call(LIST_DOCUMENTS, Buffer.alloc(0), oldToken)).code).toBe(
      status.UNAUTHENTICATED,
    );
    expect((await newOnlyClient.call(LIST_DOCUMENTS, Buffer.alloc(0), newToken)).code).toBe(
      status.OK,
    );
    newOnlyClient.close();
    users.close();
  }, 180_000);
});
