// Type test: compiled by tsc (never run). It fails to compile when the public types drift from their use.
import { KINDS, LeakError, LeakTracker, workerTracker, type Leak, type ResourceKind } from 'leakwatch'
// The native binding is internal (no entry of the package exports it): its generated types still compile.
import { listLoopHandles } from '../../index.js'
import { allowLeaks, configure, expectNoLeaks, resourceDelta, watch } from 'leakwatch/vitest'
import { expect } from 'vitest'
import type { TaskMeta } from 'vitest'

configure({ settleMs: 50, ignore: [{ kind: 'Timeout', createdBy: /node_modules\/pino/ }], onLeak: 'warn' })
configure({
  kinds: ['TCP server', 'Interval'],
  reportUnref: true,
  baseline: [{ site: 'src/a.ts:3', kind: 'TCP socket' }],
})
configure({ baseline: './leak-baseline.json', enabled: true, listeners: false })
configure({ heap: 'test', maxHeapGrowthPerTest: 256 * 1024, maxHeapGrowthPerFile: null })
// @ts-expect-error: heap takes 'off', 'file' or 'test'
configure({ heap: 'always' })
configure({ ignore: [{ kind: 'Listener', emitter: 'process', event: /^SIG/ }] })
// @ts-expect-error: an unknown kind is a type error
configure({ kinds: ['tcp server'] })
// @ts-expect-error: onLeak takes 'fail' or 'warn'
configure({ onLeak: 'throw' })
configure({
  ignoreReferences: [
    { holder: 'Context', edge: 'serverCache' },
    { holder: 'Object', holderHas: 'seenDone', edge: 'fn' },
  ],
})
// @ts-expect-error: a reference pattern needs its edge
configure({ ignoreReferences: [{ holder: 'TestHook' }] })

async function usage(): Promise<void> {
  await expectNoLeaks(async () => {})
  await expectNoLeaks()
  allowLeaks()
  const app = watch({ routes: [] as string[] }, 'fastify app')
  const routes: string[] = app.routes
  void routes
  expect(app).toBeCollected()
  expect(app).toBeCollected('the app')
  const delta = resourceDelta()
  const servers: number | undefined = delta.handles['TCP server']
  const created: number | undefined = delta.created.Interval
  const attached: number | undefined = delta.listeners['process "SIGTERM"']
  const grown: number = delta.heapBytes + delta.nativeBytes
  void grown
  void attached
  void servers
  void created
  try {
    await expectNoLeaks(() => {})
  } catch (error) {
    if (error instanceof LeakError) {
      const first: Leak | undefined = error.leaks[0]
      const line: number | undefined = first?.site?.line
      void line
    }
  }
  const tracker: LeakTracker = workerTracker()
  const scope = tracker.openScope('block')
  const result = await tracker.checkTest(scope, 'block')
  const text: string = result.text
  const warnings: string[] = result.warnings
  void text
  void warnings
  const audit = await tracker.checkShutdown(scope, { subject: 'shutdown of the block', options: tracker.options })
  void audit.leaks
  tracker.release(scope)
  const kind: ResourceKind = KINDS[0]
  void kind
  const meta: TaskMeta = {}
  const leaks: Leak[] | undefined = meta.leakwatch?.leaks
  const heapDelta: number | null | undefined = meta.leakwatch?.heap?.heapDeltaBytes
  void heapDelta
  void leaks
  const handles: string = listLoopHandles()
  void handles
}
void usage

// @ts-expect-error: the native binding is not an entry of the package
export type Binding = typeof import('leakwatch/binding')
// @ts-expect-error: loadNative is internal
export type LoadNative = typeof import('leakwatch').loadNative
