// The benchmark suite's jest config: plain. run.mjs adds --setupFilesAfterEnv (leakwatch) or --detectOpenHandles.
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/*.test.js'],
}
