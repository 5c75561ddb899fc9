// The faults run (npx nx run e2e:faults): it starts and breaks a PostgreSQL and
// a Kafka of its own, so it has no use for the run's shared stack (no global setup).
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'e2e-faults',
  rootDir: __dirname,
  testMatch: ['**/faults/*.int-spec.ts'],
  maxWorkers: 1,
  // A failed scenario can leave a Kafka client behind; the run must end anyway.
  forceExit: true,
};
