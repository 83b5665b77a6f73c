// Fixed: disconnect() stops the client, reconnect timer included.
import { once } from 'node:events'
import { test } from 'vitest'
import { createRedis } from '../../src/redis.js'
import { closedPort } from '../helpers/closed-port.js'

test('a reconnecting client disconnected at the end', async () => {
  const client = createRedis(`redis://127.0.0.1:${await closedPort()}`, { retryStrategy: () => 1000 })
  client.on('error', () => {})
  try {
    await once(client, 'reconnecting')
  } finally {
    client.disconnect()
  }
})
