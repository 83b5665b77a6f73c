// Cause 2, the incident's own fix: one server per file, made in beforeAll and closed in afterAll (leakwatch checks
// the file's resources after afterAll), instead of one per test.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { MessagingServer } from '../../src/server.js'
import { createTestMessagingServer } from '../helpers/test-server.js'

describe('message routes, one server per file', () => {
  let server: MessagingServer
  beforeAll(async () => {
    server = await createTestMessagingServer()
  })
  afterAll(() => server.app.close())

  test('accepts a message send request', async () => {
    const response = await server.app.inject({ method: 'POST', url: '/messages', payload: { conversationId: 'c1', text: 'hi' } })
    expect(response.statusCode).toBe(201)
  })

  test('returns a stored message', async () => {
    const sent = await server.app.inject({ method: 'POST', url: '/messages', payload: { conversationId: 'c1', text: 'yo' } })
    const response = await server.app.inject({ method: 'GET', url: `/messages/${sent.json().id}` })
    expect(response.json().text).toBe('yo')
  })

  test('answers 404 for an unknown message', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/messages/nope' })
    expect(response.statusCode).toBe(404)
  })

  test('reports health', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/health' })
    expect(response.json().status).toBe('ok')
  })

  test('exposes metrics', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/metrics' })
    expect(response.body).toContain('messages_sent_total')
  })
})
