import { startPostgres } from './src/postgres';
import { Client } from 'pg';
(async () => {
  const t = Date.now();
  const pg = await startPostgres({ dataDir: process.argv[2], port: 55433, ephemeral: process.argv[3] === 'e' });
  console.log('started', Date.now() - t, pg.url);
  const c = new Client({ connectionString: pg.url }); await c.connect();
  console.log((await c.query('select 1 as x, current_database()')).rows); await c.end();
  const t2 = Date.now(); await pg.stop(); console.log('stopped', Date.now() - t2);
})();
