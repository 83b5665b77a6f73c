// Redis clients for the service: a publisher/store client and a subscriber client, as the original service had.
import { Redis, type RedisOptions } from 'ioredis'

export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, ...options })
}
