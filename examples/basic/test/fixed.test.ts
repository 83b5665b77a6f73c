// The same tests, fixed: close() runs for real, and cleanup is in a finally block. leakwatch passes them.
import { afterAll, beforeAll, expect, test, vi } from 'vitest'
import { createChatServer } from '../src/chat-server'
import { startUpstream } from './upstream'

let upstream: Awaited<ReturnType<typeof startUpstream>>
beforeAll(async () => {
  upstream = await startUpstream()
})
afterAll(() => upstream.close())

test('stop() with a spied, not mocked, close', async () => {
  const chat = createChatServer(upstream.port)
  const close = vi.spyOn(chat.server, 'close')
  await chat.start()
  await chat.stop()
  expect(close).toHaveBeenCalled()
})

test('cleanup in finally, even when an assertion fails', async () => {
  const chat = createChatServer(upstream.port)
  try {
    const port = await chat.start()
    expect(port).toBeGreaterThan(0)
  } finally {
    await chat.stop()
  }
})
