module.exports = {
  ...require('../../jest.infra-preset.js'),
  displayName: 'runtime',
  rootDir: __dirname,
};
