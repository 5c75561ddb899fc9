import { z } from 'zod';
import { envInt, envPort } from './env-schemas';
import { ConfigError, parseEnv } from './load-config';

describe('parseEnv', () => {
  const schema = z.object({ USERS_GRPC_PORT: envPort(50051), DATABASE_POOL_SIZE: envInt(10, 1) });

  it('applies defaults for unset and empty variables', () => {
    expect(parseEnv(schema, { DATABASE_POOL_SIZE: '' })).toEqual({
      USERS_GRPC_PORT: 50051,
      DATABASE_POOL_SIZE: 10,
    });
  });

  it('names every variable that does not parse', () => {
    let caught: unknown;
    try {
      parseEnv(schema, { USERS_GRPC_PORT: 'abc', DATABASE_POOL_SIZE: '0' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as ConfigError).message;
    expect(message).toContain('USERS_GRPC_PORT');
    expect(message).toContain('DATABASE_POOL_SIZE');
  });
});
