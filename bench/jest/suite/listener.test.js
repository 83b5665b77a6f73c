const { cleanTests, TESTS_PER_FILE } = require('./work.cjs')

cleanTests('listener', TESTS_PER_FILE)

test('planted: a SIGTERM handler left on process', () => {
  process.on('SIGTERM', () => {}) // leak:listener
})
