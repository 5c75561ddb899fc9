import { Client } from 'pg';
import { applyServiceRoles, provisionServiceRoles } from './database-roles';

const ownerUrl = (): string => process.env.DATABASE_URL as string;

it('refuses a schema that infra/db/roles.sql gives no role, naming it', async () => {
  await expect(applyServiceRoles(ownerUrl(), ['users', 'billing'], {})).rejects.toThrow(
    'infra/db/roles.sql sets up no role for billing (nexus_billing): add a row for each',
  );
});

it('provisions again without harm, and the role keeps its grants and its password', async () => {
  const first = await provisionServiceRoles(ownerUrl(), ['work']);
  const again = await provisionServiceRoles(ownerUrl(), ['work']);
  expect(again).toEqual(first);
  const client = new Client({ connectionString: again.work });
  await client.connect();
  try {
    const { rows } = await client.query<{ role: string; usage: boolean; create: boolean }>(
      `SELECT current_user AS role, has_schema_privilege('work', 'USAGE') AS usage,
              has_schema_privilege('work', 'CREATE') AS create`,
    );
    expect(rows).toEqual([{ role: 'nexus_work', usage: true, create: false }]);
  } finally {
    await client.end();
  }
});
