module.exports = {
  ...require('../../jest.infra-preset.js'),
  displayName: 'users',
  rootDir: __dirname,
};
