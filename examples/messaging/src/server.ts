// The messaging service: Fastify routes over Redis, a participant cache, a WebSocket hub and metrics.
// `stop()` closes the app; everything the service opened is closed in the app's onClose hook.
import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyInstance } from 'fastify'
import { createMetrics } from './metrics.js'
import { ParticipantCache } from './participants.js'
import { createRedis } from './redis.js'
import { WsHub } from './ws-hub.js'

export interface MessagingServer {
  app: FastifyInstance
  start(): Promise<string>
  stop(): Promise<void>
}

export interface ServerOptions {
  redisUrl: string
  port?: number
}

export function createServer({ redisUrl, port = 0 }: ServerOptions): MessagingServer {
  const app = Fastify()
  const store = createRedis(redisUrl)
  const subscriber = createRedis(redisUrl)
  const participants = new ParticipantCache(subscriber)
  const hub = new WsHub(app.server)
  const metrics = createMetrics()

  app.post<{ Body: { conversationId: string; text: string } }>('/messages', async (request, reply) => {
    const id = randomUUID()
    const message = { id, ...request.body, at: Date.now() }
    await store.set(`messages:${id}`, JSON.stringify(message))
    await store.publish('messages', JSON.stringify(message))
    hub.broadcast(message)
    metrics.messagesSent.inc()
    return reply.code(201).send({ id })
  })
  app.get<{ Params: { id: string } }>('/messages/:id', async (request, reply) => {
    const stored = await store.get(`messages:${request.params.id}`)
    if (stored === null) return reply.code(404).send({ error: 'not found' })
    return JSON.parse(stored)
  })
  app.get('/health', async () => ({ status: 'ok', redis: store.status }))
  app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()))

  app.addHook('onReady', async () => {
    await participants.start()
    hub.start()
  })
  app.addHook('onClose', async () => {
    await hub.stop()
    await participants.stop()
    await store.quit()
    metrics.registry.clear()
  })

  return {
    app,
    start: () => app.listen({ port, host: '127.0.0.1' }),
    stop: () => app.close(),
  }
}
