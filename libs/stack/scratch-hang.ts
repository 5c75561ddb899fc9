import { startPostgres } from './src/postgres';
(async () => {
  const pg = await startPostgres({ dataDir: process.argv[2], port: 55433 });
  console.log('up', pg.url);
  setInterval(() => undefined, 1000);
})();
