// Forced garbage collection without a command-line flag: `--expose-gc` set at run time, and the `gc` function taken
// from a fresh context (the flag only takes effect for contexts created after it is set). A user who already
// exposed `global.gc` gets theirs used.

import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

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
 * GC, a macrotask, GC: what it takes for an unreachable object to be gone. A `WeakRef` keeps its target alive
 * until the end of the job that deref'd it, and finalization work runs between jobs.
 * @param {(fn: () => void) => void} untracked runs leakwatch's own timer creation outside every scope
 */
export async function collectThoroughly(untracked) {
  forceGc()
  await new Promise((resolve) => untracked(() => setImmediate(resolve)))
  forceGc()
}

/** Heap figures now: V8's used heap, and native memory held by JS objects (external, ArrayBuffers). */
export function heapFigures() {
  const { heapUsed, external, arrayBuffers } = process.memoryUsage()
  return { heapBytes: heapUsed, nativeBytes: external + arrayBuffers }
}
