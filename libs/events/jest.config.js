module.exports = {
  ...require('../../jest.infra-preset.js'),
  displayName: 'events',
  rootDir: __dirname,
};
