module.exports = {
  ...require('../../jest.infra-preset.js'),
  displayName: 'testing',
  rootDir: __dirname,
  // The compose and Kubernetes checks run as infra:test (infra/jest.config.js).
  testPathIgnorePatterns: [
    '/node_modules/',
    '/compose-file\\.spec\\.ts$',
    '/k8s-manifests\\.spec\\.ts$',
  ],
};
