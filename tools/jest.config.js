module.exports = {
  ...require('../jest.infra-preset.js'),
  displayName: 'tools',
  rootDir: __dirname,
};
