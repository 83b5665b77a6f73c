// A SIGTERM handler installed per server and never removed: one more listener on process for every test.
import { inject, test } from 'vitest'
import { installGracefulShutdown } from '../../src/main.js'
import { createServer } from '../../src/server.js'

test('graceful shutdown installed, never uninstalled', async () => {
  const server = createServer({ redisUrl: inject('redisUrl') })
  installGracefulShutdown(server)
  await server.start()
  await server.stop()
})
