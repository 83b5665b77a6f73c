// The suite's global setup: one real redis-server for every test file, stopped after the run.
import type { TestProject } from 'vitest/node'
import { startRedis } from './helpers/redis-server.js'

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string
  }
}

export default async function setup(project: TestProject) {
  const redis = await startRedis()
  project.provide('redisUrl', redis.url)
  return () => redis.stop()
}
