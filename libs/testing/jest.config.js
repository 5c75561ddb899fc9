module.exports = {
  ...require('../../jest.infra-preset.js'),
  displayName: 'testing',
  rootDir: __dirname,
};
