// A Redis client whose server went away, left reconnecting: its reconnect timer outlives the test.
import { test } from 'vitest'
import { createRedis } from '../../src/redis.js'
import { freePort } from '../helpers/free-port.js'

test('a client left reconnecting to a dead Redis', async () => {
  const client = createRedis(`redis://127.0.0.1:${await freePort()}`, { retryStrategy: () => 1000 })
  client.on('error', () => {})
  await new Promise((resolve) => client.once('reconnecting', resolve))
})
