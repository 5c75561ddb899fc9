import { Writable } from 'node:stream';
import { DatabaseError } from 'pg';
import { QueryFailedError } from 'typeorm';
import { createLogger } from './logger';

/** One captured line as JSON. */
function parse(line: string): Record<string, unknown> {
  return JSON.parse(line) as Record<string, unknown>;
}

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

  it('logs an err or error that is not an Error as its kind only', () => {
    const { logger, lines } = capture();
    logger.error({ err: 'password=hunter2 for ada@example.com' }, 'failed');
    logger.error(
      { err: { message: 'Key (email)=(ada@example.com)', detail: 'hash $argon2id$secret' } },
      'failed',
    );
    logger.warn({ error: ['ada@example.com', '$argon2id$secret'] }, 'failed');
    logger.warn({ job: { error: 42, err: null } }, 'failed');
    logger.child({ err: { password: 'hunter2', parameters: ['secret'] } }).error('failed');
    expect(lines).toHaveLength(5);
    for (const line of lines)
      expect(line).not.toMatch(/hunter2|ada@example|argon2id|secret|Key \(/);
    expect(JSON.parse(lines[0])).toMatchObject({ err: { type: 'string' } });
    expect(parse(lines[1]).err).toEqual({ type: 'Object' });
    expect(parse(lines[2]).error).toEqual({ type: 'Array' });
    expect(parse(lines[3]).job).toEqual({ error: { type: 'number' }, err: { type: 'null' } });
    expect(parse(lines[4]).err).toEqual({ type: 'Object' });
  });

  it('keeps values out of errors inside class instances, null-prototype objects and Maps', () => {
    class Job {
      readonly name = 'rollup';
      constructor(readonly failure: unknown) {}
    }
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, {
      cause: failedInsert(),
      nested: { failure: failedInsert() },
    });
    const { logger, lines } = capture();
    logger.error({ job: new Job(failedInsert()) }, 'job failed');
    logger.error({ context: bare }, 'failed');
    logger.error({ failures: new Map([['a', failedInsert()]]) }, 'failed');
    logger.error({ batch: [new Job(new Job(failedInsert()))] }, 'failed');
    expect(lines).toHaveLength(4);
    for (const line of lines) {
      expect(line).not.toMatch(/ada@example|argon2id|secret|VALUES|Key \(|parameters|driverError/);
    }
    expect(parse(lines[0]).job).toMatchObject({
      name: 'rollup',
      failure: { type: 'QueryFailedError', code: '23505' },
    });
    expect(parse(lines[1]).context).toMatchObject({
      cause: { type: 'QueryFailedError' },
      nested: { failure: { type: 'QueryFailedError' } },
    });
    expect(parse(lines[3]).batch).toMatchObject([
      { failure: { failure: { type: 'QueryFailedError' } } },
    ]);
  });

  it('logs an object nested deeper than it walks as its kind only', () => {
    let deep: Record<string, unknown> = { failure: failedInsert(), password: 'hunter2' };
    for (let n = 0; n < 20; n += 1) deep = { next: deep };
    const { logger, lines } = capture();
    logger.error({ deep }, 'failed');
    expect(lines[0]).not.toMatch(/ada@example|argon2id|secret|hunter2/);
  });
});
