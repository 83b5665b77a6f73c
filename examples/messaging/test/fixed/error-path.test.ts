// Fixed: stop() in a finally block runs on the error path too.
import { expect, inject, test } from 'vitest'
import { createServer, type MessagingServer } from '../../src/server.js'

async function sendWithoutConversation(server: MessagingServer): Promise<void> {
  const response = await server.app.inject({ method: 'GET', url: '/messages/missing' })
  if (response.statusCode === 404) throw new Error('message not found')
}

test('a failed send still stops the server', async () => {
  const server = createServer({ redisUrl: inject('redisUrl') })
  await server.start()
  try {
    await expect(sendWithoutConversation(server)).rejects.toThrow('message not found')
  } finally {
    await server.stop()
  }
})
