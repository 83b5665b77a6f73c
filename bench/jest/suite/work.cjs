// What every benchmark test does, leak-free: an HTTP round trip to a server of its own (both closed), a timer set and
// cleared, a 1 ms sleep, and a burst of promises. Handle-heavy on purpose: it is what leak checking costs most on.
const http = require('node:http')
const { once } = require('node:events')

async function roundTrip(tag) {
  const server = http.createServer((req, res) => res.end(tag))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  // agent: false: "Connection: close", so no keep-alive socket outlives the test.
  const req = http.get({ host: '127.0.0.1', port: server.address().port, agent: false })
  const [res] = await once(req, 'response')
  res.setEncoding('utf8')
  let body = ''
  for await (const chunk of res) body += chunk
  if (!req.socket.destroyed) await once(req.socket, 'close')
  await new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
  return body
}

/** Registers `count` clean tests named `<prefix> <n>`. */
function cleanTests(prefix, count) {
  for (let index = 0; index < count; index++) {
    const tag = `${prefix} ${index}`
    test(tag, async () => {
      expect(await roundTrip(tag)).toBe(tag)
      clearTimeout(setTimeout(() => {}, 10_000))
      await new Promise((resolve) => setTimeout(resolve, 1))
      const values = await Promise.all(Array.from({ length: 20 }, (_, i) => Promise.resolve(i)))
      expect(values).toHaveLength(20)
    })
  }
}

module.exports = { cleanTests, TESTS_PER_FILE: 40 }
