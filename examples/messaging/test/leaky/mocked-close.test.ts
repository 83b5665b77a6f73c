// Cause 1 of the incident: close() mocked, so stop() closes nothing: the HTTP server, both Redis clients and the
// WebSocket hub's heartbeat stay open after every test.
import { expect, inject, test, vi } from 'vitest'
import { createServer } from '../../src/server.js'

test('stop() with app.close() mocked', async () => {
  const server = createServer({ redisUrl: inject('redisUrl') })
  vi.spyOn(server.app, 'close').mockResolvedValue(undefined as never)
  await server.start()
  await server.stop()
  expect(server.app.close).toHaveBeenCalledOnce()
})
