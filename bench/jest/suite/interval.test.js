const { cleanTests, TESTS_PER_FILE } = require('./work.cjs')

cleanTests('interval', TESTS_PER_FILE)

test('planted: an interval never cleared', () => {
  setInterval(() => {}, 30_000) // leak:interval
})
