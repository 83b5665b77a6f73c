// Forced garbage collection without a command-line flag: `--expose-gc` set at run time, and the `gc` function taken
// from a fresh context (the flag only takes effect for contexts created after it is set). A user who already
// exposed `global.gc` gets theirs used.

import { getHeapStatistics, setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { nextTurn } from './settle.js'

let collect

/** A full, synchronous garbage collection. */
export function forceGc() {
  if (collect === undefined) {
    if (typeof globalThis.gc === 'function') {
      collect = globalThis.gc
    } else {
      setFlagsFromString('--expose-gc')
      collect = runInNewContext('gc')
    }
  }
  collect()
}

/**
 * Two turns of the event loop, then a GC: what it takes for an unreachable object to be gone. A `WeakRef` keeps its
 * target alive until the end of the job that created or deref'd it; and a closed handle's native wrap holds its JS
 * owner until libuv's close callback, which runs in the loop's close phase, after the check phase where a first
 * `setImmediate` lands (a runner that chains tests by promises may not have turned the loop since the close). One
 * full GC after that suffices, and costs half of two (~10 ms on a vitest worker's heap).
 * @param {(fn: () => void) => void} untracked runs leakwatch's own timer creation outside every scope
 */
export async function collectThoroughly(untracked) {
  for (let turn = 0; turn < 2; turn++) await nextTurn(untracked)
  forceGc()
}

/** V8's used heap now. (`process.memoryUsage()` reads the RSS too: ~9 µs against ~0.5 µs.) */
export function heapUsedBytes() {
  return getHeapStatistics().used_heap_size
}

/** Heap figures now: V8's used heap, and native memory held by JS objects (external memory, ArrayBuffers included). */
export function heapFigures() {
  const { used_heap_size: heapBytes, external_memory: nativeBytes } = getHeapStatistics()
  return { heapBytes, nativeBytes }
}
