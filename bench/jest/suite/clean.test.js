const { cleanTests, TESTS_PER_FILE } = require('./work.cjs')

cleanTests('clean', TESTS_PER_FILE)
