// The jest adapter's public types, as a jest suite uses them (checked by tsc in __test__/package.test.mjs).
import {
  allowLeaks,
  assertCleanShutdown,
  configure,
  expectNoLeaks,
  LeakError,
  resourceDelta,
  watch,
  type Leak,
} from 'leakwatch/jest'
import { expect } from '@jest/globals'

configure({ settleMs: 50, onLeak: 'warn', kinds: ['TCP server'] })
const pattern: import('leakwatch/jest').ReferencePattern = { holder: 'Object', holderHas: 'seenDone', edge: 'fn' }
configure({ ignoreReferences: [pattern] })
// @ts-expect-error: onLeak takes 'fail' or 'warn'
configure({ onLeak: 'throw' })

async function usage(): Promise<void> {
  await expectNoLeaks(async () => {})
  await expectNoLeaks()
  allowLeaks()
  const app = watch({ routes: [] as string[] }, 'app')
  const routes: string[] = app.routes
  void routes
  expect(app).toBeCollected()
  expect(app).toBeCollected('the app')
  const delta = resourceDelta()
  const servers: number | undefined = delta.handles['TCP server']
  const heap: number = delta.heapBytes
  void servers
  void heap
  try {
    await expectNoLeaks()
  } catch (error) {
    if (error instanceof LeakError) {
      const leaks: Leak[] = error.leaks
      void leaks
    }
  }
}
void usage

async function audit(server: { close(): Promise<void> }): Promise<void> {
  const summary = await assertCleanShutdown(() => server.close(), { name: 'the api', settleMs: 50 })
  const stopMs: number = summary.stopMs
  void stopMs
  // @ts-expect-error: the audit's options do not include onLeak
  await assertCleanShutdown(() => server.close(), { onLeak: 'warn' })
}
void audit
