const net = require('node:net')
const { once } = require('node:events')
const { cleanTests, TESTS_PER_FILE } = require('./work.cjs')

let shared
beforeAll(async () => {
  shared = net.createServer((socket) => socket.on('error', () => {}))
  await new Promise((resolve) => shared.listen(0, '127.0.0.1', resolve))
})
// Stops listening; the planted connection stays open (both ends) until the run ends, as a leaked client would.
afterAll(() => {
  shared.close()
})

cleanTests('client socket', TESTS_PER_FILE)

test('planted: a client socket left connected', async () => {
  const socket = net.connect(shared.address().port, '127.0.0.1') // leak:client-socket
  await once(socket, 'connect')
})
