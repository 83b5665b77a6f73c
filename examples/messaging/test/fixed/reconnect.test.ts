// Fixed: disconnect() stops the client, reconnect timer included.
import { configure } from 'leakwatch/vitest'
import { test } from 'vitest'
import { createRedis } from '../../src/redis.js'
import { freePort } from '../helpers/free-port.js'

// ioredis's disconnect() arms a 2 s safety timer that the stream's 'close' clears; a stream that already failed to
// connect has closed, so the timer runs its 2 s. A known quirk of the library, accepted by an ignore rule.
configure({ ignore: [{ kind: 'Timeout', createdBy: 'ioredis/built/connectors/AbstractConnector' }] })

test('a reconnecting client disconnected at the end', async () => {
  const client = createRedis(`redis://127.0.0.1:${await freePort()}`, { retryStrategy: () => 1000 })
  client.on('error', () => {})
  try {
    await new Promise((resolve) => client.once('reconnecting', resolve))
  } finally {
    client.disconnect()
  }
})
