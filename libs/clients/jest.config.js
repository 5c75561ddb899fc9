module.exports = { ...require('../../jest.preset.js'), displayName: 'clients', rootDir: __dirname };
