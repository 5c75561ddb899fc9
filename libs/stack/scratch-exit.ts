import { startLocalStack } from './src/local-stack';
(async () => {
  const withKafka = process.argv[2] !== 'pg';
  const withPostgres = process.argv[2] !== 'kafka';
  const s = await startLocalStack({ dataDir: '/tmp/scratch-exit', ephemeral: true, withKafka, withPostgres });
  await s.stop();
  const t = Date.now();
  process.on('exit', () => console.error('exited after', Date.now() - t));
  setTimeout(() => {
    const p = process as unknown as { _getActiveHandles(): object[]; _getActiveRequests(): object[] };
    console.error(p._getActiveHandles().map((h) => h.constructor.name), p._getActiveRequests().length);
  }, 500).unref();
})();
