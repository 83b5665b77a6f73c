// The WebSocket hub: clients connect on the service's HTTP server; a heartbeat drops the ones that stopped answering.
import type { Server } from 'node:http'
import { WebSocketServer, type WebSocket } from 'ws'

export const HEARTBEAT_MS = 30_000

export class WsHub {
  private readonly wss: WebSocketServer
  private readonly alive = new WeakSet<WebSocket>()
  private heartbeat: NodeJS.Timeout | undefined

  constructor(server: Server) {
    this.wss = new WebSocketServer({ server, path: '/ws' })
    this.wss.on('connection', (socket) => {
      this.alive.add(socket)
      socket.on('pong', () => this.alive.add(socket))
    })
  }

  start(): void {
    this.heartbeat = setInterval(() => this.checkClients(), HEARTBEAT_MS)
  }

  broadcast(message: unknown): void {
    const text = JSON.stringify(message)
    for (const client of this.wss.clients) client.send(text)
  }

  async stop(): Promise<void> {
    clearInterval(this.heartbeat)
    for (const client of this.wss.clients) client.terminate()
    await new Promise<void>((resolve) => this.wss.close(() => resolve()))
  }

  private checkClients(): void {
    for (const client of this.wss.clients) {
      if (!this.alive.has(client)) client.terminate()
      this.alive.delete(client)
      client.ping()
    }
  }
}
