module.exports = {
  ...require('../../jest.infra-preset.js'),
  displayName: 'db',
  rootDir: __dirname,
};
