// Cause 1, fixed: close() is spied on, not mocked, so stop() closes everything for real.
import { expect, inject, test, vi } from 'vitest'
import { createServer } from '../../src/server.js'

test('stop() with app.close() spied on', async () => {
  const server = createServer({ redisUrl: inject('redisUrl') })
  const close = vi.spyOn(server.app, 'close')
  await server.start()
  await server.stop()
  expect(close).toHaveBeenCalledOnce()
})
