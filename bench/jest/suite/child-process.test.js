const { spawn } = require('node:child_process')
const { once } = require('node:events')
const { cleanTests, TESTS_PER_FILE } = require('./work.cjs')

cleanTests('child process', TESTS_PER_FILE)

test('planted: a child process never stopped', async () => {
  // Short enough to end on its own soon after the run; long enough to outlive it.
  const child = spawn('sleep', ['40']) // leak:child-process
  await once(child, 'spawn')
})
