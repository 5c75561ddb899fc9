// The fuzz run (npx nx run e2e:fuzz): the e2e settings with only the fuzz spec.
// A config of its own because jest's array flags on the command line swallow
// the path pattern that follows them.
module.exports = {
  ...require('./jest.config.js'),
  testMatch: ['**/fuzz.int-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
};
