import { Client } from 'pg';

/**
 * Runs `work` against a new, empty database on the server of `databaseUrl`,
 * dropped afterwards: for work that must not touch real data (generating a
 * migration, checking that migrations apply from nothing).
 */
export async function withScratchDatabase<T>(
  databaseUrl: string,
  prefix: string,
  work: (url: string) => Promise<T>,
): Promise<T> {
  const name = `${prefix}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = new URL(databaseUrl);
    url.pathname = `/${name}`;
    return await work(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}
