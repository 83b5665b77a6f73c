const net = require('node:net')
const { cleanTests, TESTS_PER_FILE } = require('./work.cjs')

// Planted: a server made at module level, never closed: the file's leak, not a test's.
const moduleServer = net.createServer()
moduleServer.listen(0, '127.0.0.1') // leak:module-level

cleanTests('module level', TESTS_PER_FILE)
