import { QueryFailedError } from 'typeorm';
import { classifyDatabaseError } from './pg-errors';

const failed = (message: string, code: string) =>
  new QueryFailedError('SELECT 1', [], Object.assign(new Error(message), { code }));

describe('classifyDatabaseError', () => {
  it('reads an unreachable database as DATABASE_UNAVAILABLE (kind unavailable)', () => {
    for (const error of [
      failed('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      failed('terminating connection due to administrator command', '57P01'),
      failed('connection failure', '08006'),
    ]) {
      expect(classifyDatabaseError(error)).toMatchObject({
        code: 'DATABASE_UNAVAILABLE',
        kind: 'unavailable',
      });
    }
  });

  it('reads a deadlock or serialization failure as TRANSACTION_CONFLICT (kind aborted)', () => {
    for (const code of ['40P01', '40001'])
      expect(classifyDatabaseError(failed('lost a race', code))).toMatchObject({
        code: 'TRANSACTION_CONFLICT',
        kind: 'aborted',
      });
  });

  it("leaves everything else alone, a gRPC peer's refused connection included", () => {
    expect(classifyDatabaseError(failed('duplicate key', '23505'))).toBeUndefined();
    expect(
      classifyDatabaseError(new Error('14 UNAVAILABLE: connect ECONNREFUSED')),
    ).toBeUndefined();
  });
});
