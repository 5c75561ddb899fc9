// The shared Jest settings plus the global setup that gives every test run
// real PostgreSQL and Kafka: the configured ones (DATABASE_URL, KAFKA_BROKERS)
// or, when unset, instances it starts itself and stops at the end.
const path = require('node:path');

module.exports = {
  ...require('./jest.preset.js'),
  globalSetup: path.join(__dirname, 'libs/testing/src/global-setup.ts'),
  globalTeardown: path.join(__dirname, 'libs/testing/src/global-teardown.ts'),
  // A failing test can leave a Kafka client or a service process behind; the
  // run must end anyway rather than hang CI until its time limit.
  forceExit: true,
};
