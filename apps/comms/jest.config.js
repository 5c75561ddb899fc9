module.exports = {
  ...require('../../jest.infra-preset.js'),
  displayName: 'comms',
  rootDir: __dirname,
};
