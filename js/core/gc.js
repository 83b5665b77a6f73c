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
 * GC, two turns of the event loop, GC: what it takes for an unreachable object to be gone. A `WeakRef` keeps its
 * target alive until the end of the job that deref'd it; and a closed handle's native wrap holds its JS owner until
 * libuv's close callback, which runs in the loop's close phase, after the check phase where a first `setImmediate`
 * lands (a runner that chains tests by promises may not have turned the loop since the close).
 * @param {(fn: () => void) => void} untracked runs leakwatch's own timer creation outside every scope
 */
export async function collectThoroughly(untracked) {
  forceGc()
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => untracked(() => setImmediate(resolve)))
  forceGc()
}

/** Heap figures now: V8's used heap, and native memory held by JS objects (external, ArrayBuffers). */
export function heapFigures() {
  const { heapUsed, external, arrayBuffers } = process.memoryUsage()
  return { heapBytes: heapUsed, nativeBytes: external + arrayBuffers }
}
