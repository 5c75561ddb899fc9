module.exports = { ...require('../../jest.infra-preset.js'), displayName: 'clients', rootDir: __dirname };
