// Running the service as a process: stop it on SIGTERM. The handler is the server's; its disposer removes it.
import type { MessagingServer } from './server.js'

export function installGracefulShutdown(server: MessagingServer): () => void {
  const onSigterm = (): void => {
    void server.stop()
  }
  process.on('SIGTERM', onSigterm)
  return () => {
    process.off('SIGTERM', onSigterm)
  }
}
