// A small chat service: an HTTP server, a heartbeat interval, and a connection to an upstream service.
import http from 'node:http'
import net from 'node:net'

export interface ChatServer {
  server: http.Server
  start(): Promise<number>
  stop(): Promise<void>
}

export function createChatServer(upstreamPort: number): ChatServer {
  const server = http.createServer((req, res) => res.end('ok'))
  let heartbeat: NodeJS.Timeout | undefined
  let upstream: net.Socket | undefined

  return {
    server,
    async start() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      heartbeat = setInterval(() => upstream?.write('ping\n'), 30_000)
      upstream = net.connect(upstreamPort, '127.0.0.1')
      await new Promise<void>((resolve) => upstream!.once('connect', resolve))
      return (server.address() as net.AddressInfo).port
    },
    async stop() {
      clearInterval(heartbeat)
      upstream?.destroy()
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
    },
  }
}
