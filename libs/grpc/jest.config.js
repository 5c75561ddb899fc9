module.exports = { ...require('../../jest.infra-preset.js'), displayName: 'grpc', rootDir: __dirname };
