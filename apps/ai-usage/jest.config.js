module.exports = {
  ...require('../../jest.infra-preset.js'),
  displayName: 'ai-usage',
  rootDir: __dirname,
};
