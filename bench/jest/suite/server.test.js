const net = require('node:net')
const { cleanTests, TESTS_PER_FILE } = require('./work.cjs')

cleanTests('server', TESTS_PER_FILE)

test('planted: a listening server left open', async () => {
  const server = net.createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve)) // leak:server
})
