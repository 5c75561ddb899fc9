// Shared Jest settings: ts-jest without type-checking (typecheck is its own
// target) and the tsconfig path aliases. Projects whose tests need PostgreSQL
// and Kafka use jest.infra-preset.js instead.
const path = require('node:path');
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.base.json');

const root = __dirname;

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(root, 'tsconfig.base.json') }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: `${root}/` }),
  testMatch: ['**/*.spec.ts', '**/*.int-spec.ts'],
  reporters: ['default', path.join(root, 'tools/jest-summary-reporter.js')],
  testTimeout: 60000,
};
