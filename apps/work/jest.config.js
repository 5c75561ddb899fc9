module.exports = {
  ...require('../../jest.infra-preset.js'),
  displayName: 'work',
  rootDir: __dirname,
};
