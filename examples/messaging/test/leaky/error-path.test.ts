// An error path that skips cleanup: stop() is on the happy path only.
import { expect, inject, test } from 'vitest'
import { createServer, type MessagingServer } from '../../src/server.js'

async function sendWithoutConversation(server: MessagingServer): Promise<void> {
  const response = await server.app.inject({ method: 'GET', url: '/messages/missing' })
  if (response.statusCode === 404) throw new Error('message not found')
}

test('a failed send skips stop()', async () => {
  const server = createServer({ redisUrl: inject('redisUrl') })
  await server.start()
  try {
    await sendWithoutConversation(server)
    await server.stop()
  } catch (error) {
    expect(error).toBeInstanceOf(Error)
  }
})
