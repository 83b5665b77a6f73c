// Cause 2 of the incident: many route tests, each building a server and closing it. Every handle is closed, so each
// test passes; but a mock records every server it was called with (vi.fn() keeps its calls' arguments), so every
// closed server stays reachable: the file fails when it ends, naming the servers and the tests that made them.
import { describe, expect, test, vi } from 'vitest'
import type { MessagingServer } from '../../src/server.js'
import { createTestMessagingServer as createServerForTest } from '../helpers/test-server.js'

// The original helper reported each server to a mocked observability hook, never reset.
const onServerCreated = vi.fn()

async function createTestMessagingServer(): Promise<MessagingServer> {
  const server = await createServerForTest()
  onServerCreated(server)
  return server
}

describe('message routes', () => {
  test('accepts a message send request', async () => {
    const server = await createTestMessagingServer()
    try {
      const response = await server.app.inject({ method: 'POST', url: '/messages', payload: { conversationId: 'c1', text: 'hi' } })
      expect(response.statusCode).toBe(201)
    } finally {
      await server.app.close()
    }
  })

  test('returns a stored message', async () => {
    const server = await createTestMessagingServer()
    try {
      const sent = await server.app.inject({ method: 'POST', url: '/messages', payload: { conversationId: 'c1', text: 'yo' } })
      const response = await server.app.inject({ method: 'GET', url: `/messages/${sent.json().id}` })
      expect(response.json().text).toBe('yo')
    } finally {
      await server.app.close()
    }
  })

  test('answers 404 for an unknown message', async () => {
    const server = await createTestMessagingServer()
    try {
      const response = await server.app.inject({ method: 'GET', url: '/messages/nope' })
      expect(response.statusCode).toBe(404)
    } finally {
      await server.app.close()
    }
  })

  test('reports health', async () => {
    const server = await createTestMessagingServer()
    try {
      const response = await server.app.inject({ method: 'GET', url: '/health' })
      expect(response.json().status).toBe('ok')
    } finally {
      await server.app.close()
    }
  })

  test('exposes metrics', async () => {
    const server = await createTestMessagingServer()
    try {
      await server.app.inject({ method: 'POST', url: '/messages', payload: { conversationId: 'c2', text: 'm' } })
      const response = await server.app.inject({ method: 'GET', url: '/metrics' })
      expect(response.body).toContain('messages_sent_total 1')
    } finally {
      await server.app.close()
    }
  })
})
