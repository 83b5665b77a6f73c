// Fixed: the disposer installGracefulShutdown() returns removes the handler.
import { inject, test } from 'vitest'
import { installGracefulShutdown } from '../../src/main.js'
import { createServer } from '../../src/server.js'

test('graceful shutdown installed and uninstalled', async () => {
  const server = createServer({ redisUrl: inject('redisUrl') })
  const uninstall = installGracefulShutdown(server)
  try {
    await server.start()
  } finally {
    uninstall()
    await server.stop()
  }
})
