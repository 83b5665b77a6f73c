const { cleanTests, TESTS_PER_FILE } = require('./work.cjs')

cleanTests('timeout', TESTS_PER_FILE)

test('planted: a timeout never cleared', () => {
  setTimeout(() => {}, 60_000) // leak:timeout
})
