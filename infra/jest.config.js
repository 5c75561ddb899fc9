// The checks that keep the container and cluster files (docker-compose.yml,
// Dockerfile, infra/k8s) in step with the apps. They live in libs/testing beside
// app-ports.ts, which they share, but run as this project's test: a change to
// those files then selects `infra` alone in `nx affected`, not every dependent
// of libs/testing. They read files only, so no PostgreSQL or Kafka. Beside
// them, infra/*.spec.ts check the monitoring files (infra/prometheus,
// infra/grafana) with promtool against the metrics a service exports.
const path = require('node:path');

module.exports = {
  ...require('../jest.preset.js'),
  displayName: 'infra',
  rootDir: path.join(__dirname, '../libs/testing/src'),
  roots: ['<rootDir>', __dirname],
  testMatch: ['**/compose-file.spec.ts', '**/k8s-manifests.spec.ts', '**/infra/*.spec.ts'],
};
