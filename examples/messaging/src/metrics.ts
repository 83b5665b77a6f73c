// The service's metrics: a registry of its own (not prom-client's global one), as a per-instance registry should be.
import { Counter, Registry } from 'prom-client'

export function createMetrics() {
  const registry = new Registry()
  const messagesSent = new Counter({ name: 'messages_sent_total', help: 'Messages accepted', registers: [registry] })
  return { registry, messagesSent }
}
