import { Writable } from 'node:stream';
import { DatabaseError } from 'pg';
import { QueryFailedError } from 'typeorm';
import { createLogger } from './logger';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ service: 'test', level: 'info' }, sink), lines };
}

/** A failed INSERT as TypeORM raises it: the driver's message and detail quote the row. */
function failedInsert(): QueryFailedError {
  const driverError = new DatabaseError(
    'duplicate key value violates unique constraint "uq_users_email" (ada@example.com)',
    0,
    'error',
  );
  Object.assign(driverError, {
    severity: 'ERROR',
    code: '23505',
    detail: 'Key (email)=(ada@example.com) already exists.',
    where: 'SQL statement "INSERT ... VALUES (\'$argon2id$v=19$secret\')"',
    internalQuery: "SELECT 'ada@example.com'",
    schema: 'users',
    table: 'users',
    constraint: 'uq_users_email',
    routine: '_bt_check_unique',
  });
  return new QueryFailedError(
    'INSERT INTO "users"."users"("email", "password_hash") VALUES ($1, $2)',
    ['ada@example.com', '$argon2id$v=19$m=19456,t=2,p=1$secret-hash'],
    driverError,
  );
}

describe('createLogger', () => {
  it('redacts passwords and tokens wherever they appear in a log line', () => {
    const { logger, lines } = capture();
    logger.info(
      { password: 'hunter2hunter2', request: { newPassword: 'x', accessToken: 'tok' } },
      'signed in',
    );
    expect(lines.join('')).not.toMatch(/hunter2|"tok"|"x"/);
    expect(JSON.parse(lines[0])).toMatchObject({
      password: '[redacted]',
      service: 'test',
      msg: 'signed in',
    });
  });

  it('logs a database error by its class, SQLSTATE, object names and frames, never its values', () => {
    const { logger, lines } = capture();
    logger.error({ err: failedInsert() }, 'unexpected error');
    const line = JSON.parse(lines[0]) as { err: Record<string, unknown>; msg: string };
    expect(lines[0]).not.toMatch(/ada@example|argon2id|secret|VALUES|Key \(/);
    expect(line.msg).toBe('unexpected error');
    expect(line.err).toMatchObject({
      type: 'QueryFailedError',
      code: '23505',
      severity: 'ERROR',
      schema: 'users',
      table: 'users',
      constraint: 'uq_users_email',
      routine: '_bt_check_unique',
    });
    expect(Object.keys(line.err).sort()).toEqual(
      ['code', 'constraint', 'routine', 'schema', 'severity', 'stack', 'table', 'type'].sort(),
    );
    expect(line.err.stack).toMatch(/^at .*logger\.spec\.ts/);
  });

  it('keeps values out however the error is passed: alone, under another key, nested, as a cause', () => {
    const { logger, lines } = capture();
    logger.error(failedInsert());
    logger.warn({ error: failedInsert(), job: 'rollup' }, 'job failed');
    logger.warn({ context: { failures: [failedInsert()] } }, 'batch failed');
    logger.error({ err: new Error('wrapped', { cause: failedInsert() }) }, 'unexpected error');
    logger.error({ err: new SyntaxError('Unexpected token \'a\', "ada@example.com" is not JSON') });
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).not.toMatch(/ada@example|argon2id|secret|VALUES/);
    expect(JSON.parse(lines[0])).toMatchObject({
      err: { type: 'QueryFailedError', code: '23505' },
    });
    expect(JSON.parse(lines[1])).toMatchObject({
      error: { type: 'QueryFailedError' },
      job: 'rollup',
    });
    expect(JSON.parse(lines[2])).toMatchObject({
      context: { failures: [{ type: 'QueryFailedError', table: 'users' }] },
    });
    expect(JSON.parse(lines[3])).toMatchObject({
      err: { type: 'Error', cause: { type: 'QueryFailedError', code: '23505' } },
    });
    expect(JSON.parse(lines[4])).toMatchObject({ err: { type: 'SyntaxError' } });
  });
});
