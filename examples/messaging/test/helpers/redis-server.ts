// Starts a real redis-server on loopback, on a free port, for the suite's global setup.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import net from 'node:net'
import { freePort } from './free-port.js'

export interface RunningRedis {
  url: string
  stop(): Promise<void>
}

async function waitForPing(port: number, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const answered = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1')
      socket.setTimeout(500)
      socket.once('connect', () => socket.write('PING\r\n'))
      socket.once('data', (data) => {
        socket.destroy()
        resolve(data.toString().startsWith('+PONG'))
      })
      socket.once('error', () => resolve(false))
      socket.once('timeout', () => {
        socket.destroy()
        resolve(false)
      })
    })
    if (answered) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`redis-server did not answer PING on 127.0.0.1:${port} within 10 s`)
}

export async function startRedis(): Promise<RunningRedis> {
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error(
      'The messaging example needs a real redis-server, and none is on PATH.\n' +
        '  Install it (Debian/Ubuntu): sudo apt-get install redis-server   (macOS: brew install redis)\n' +
        '  The example starts its own on a free loopback port; nothing needs to be running.',
    )
  }
  const port = await freePort()
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
    { stdio: 'ignore' },
  )
  await waitForPing(port, Date.now() + 10_000)
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return
      child.kill('SIGTERM')
      await once(child, 'exit')
    },
  }
}
