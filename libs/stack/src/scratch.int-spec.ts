import { startLocalStack } from './local-stack';
it('x', async () => {
  const s = await startLocalStack({ dataDir: '/tmp/scratch-j', ephemeral: true, withKafka: process.env.K === '1', withPostgres: process.env.P === '1' });
  await s.stop();
}, 60000);
