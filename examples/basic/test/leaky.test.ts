// Each test here leaks, the way real suites do. leakwatch fails each one, naming what it left open and where.
import { afterAll, beforeAll, expect, test, vi } from 'vitest'
import { createChatServer } from '../src/chat-server'
import { startUpstream } from './upstream'

let upstream: Awaited<ReturnType<typeof startUpstream>>
beforeAll(async () => {
  upstream = await startUpstream()
})
afterAll(() => upstream.close())

test('stop() with a mocked close', async () => {
  const chat = createChatServer(upstream.port)
  // The bug from the original incident: close() is mocked, so stop() closes nothing.
  vi.spyOn(chat.server, 'close').mockImplementation(function (this: unknown, callback?: (error?: Error) => void) {
    callback?.()
    return this as never
  })
  await chat.start()
  await chat.stop()
  expect(chat.server.close).toHaveBeenCalled()
})

test('an assertion fails before stop()', async () => {
  const chat = createChatServer(upstream.port)
  const port = await chat.start()
  // The error path skips cleanup: stop() never runs when this throws.
  expect(() => {
    if (port > 0) throw new Error('boom')
  }).toThrow('boom')
  if (port < 0) await chat.stop()
})
