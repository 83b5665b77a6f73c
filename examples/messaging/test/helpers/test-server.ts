// The route tests' helper, as the original team wrote it: a fresh server per test, ready for app.inject().
import { inject } from 'vitest'
import { createServer, type MessagingServer } from '../../src/server.js'

export async function createTestMessagingServer(): Promise<MessagingServer> {
  const server = createServer({ redisUrl: inject('redisUrl') })
  await server.app.ready()
  return server
}
