module.exports = {
  ...require('../../jest.infra-preset.js'),
  displayName: 'content',
  rootDir: __dirname,
};
