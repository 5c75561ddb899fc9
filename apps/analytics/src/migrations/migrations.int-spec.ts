import { migrationRoundTrip } from '@nexus/testing';
import { database } from '../database';

describe('analytics migrations', () => {
  it('agree with the entities, revert to an empty schema, and apply again', async () => {
    const result = await migrationRoundTrip(database);
    expect(result.driftAfterUp).toEqual([]);
    expect(result.tablesAfterRevert).toEqual(['migrations']);
    expect(result.driftAfterReapply).toEqual([]);
  });
});
