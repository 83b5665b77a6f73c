// Why an object that should be garbage is not: the shortest path from a GC root, from one heap snapshot.
//
// The search skips the references of ignored-references.js and the user's `ignoreReferences`, and every reference of
// the resources the caller says are still open: an object reachable only through them (a test runner's bookkeeping,
// leakwatch's own, an open socket or a pending timer) has no path, and is not retained by the program.
//
// The objects are found in the snapshot by their heap object id, asked of V8's heap profiler through an inspector
// session on this thread (the id space is the one `v8.getHeapSnapshot()` writes). The ids are taken before the
// snapshot and the objects let go of, so that nothing of leakwatch's holds them in it. The snapshot is streamed into the
// Rust analyser chunk by chunk, never built into a JS string. Taking one costs seconds on a large heap, so callers
// take at most one per file, and only when something was found retained.

import { Session } from 'node:inspector'
import { getHeapSnapshot } from 'node:v8'
import { loadNative } from '../native.js'
import { withRealNextTick } from './real-timers.js'
import { withSizesInWords } from './retainer-path-input.js'
import { nextTurn } from './settle.js'

const PROBE = '__leakwatchRetainerProbe'

function post(session, method, params) {
  return new Promise((resolve, reject) => {
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result)))
  })
}

/** What a mock records, by the property vitest's (and jest's) mock state keeps it in. */
const MOCK_RECORDS = new Set(['calls', 'results', 'contexts', 'instances', 'invocationCallOrder', 'settledResults'])

/**
 * Names in words the references a person would not recognise from the graph alone: a `vi.fn()`/`vi.spyOn()` mock's
 * recorded calls (a function's `mock` state, then its `calls`), the incident's suspect.
 */
function withNotes(path) {
  const steps = path.steps.map((step, index) => {
    const next = path.steps[index + 1]
    const recordsCalls = step.edgeLabel.endsWith('.mock') && MOCK_RECORDS.has(next?.edgeLabel.split('.').pop())
    if (!recordsCalls) return step
    return {
      ...step,
      note: 'a vi.fn()/vi.spyOn() mock: it keeps the arguments of every call; mockClear()/mockReset() (or vi.clearAllMocks() in an afterEach) lets go of them',
    }
  })
  return { ...path, steps }
}

/**
 * The heap snapshot ids of `targets`, emptying the array. A function of its own: a suspended async function keeps
 * its registers, and a register that once held a target would show in the snapshot as a stack root holding it.
 */
async function heapObjectIds(session, targets) {
  const ids = []
  for (const target of targets.splice(0)) {
    globalThis[PROBE] = target
    try {
      const { result } = await post(session, 'Runtime.evaluate', {
        expression: `globalThis.${PROBE}`,
        objectGroup: 'leakwatch',
      })
      const { heapSnapshotObjectId } = await post(session, 'HeapProfiler.getHeapObjectId', {
        objectId: result.objectId,
      })
      ids.push(Number(heapSnapshotObjectId))
    } finally {
      delete globalThis[PROBE]
    }
  }
  await post(session, 'Runtime.releaseObjectGroup', { objectGroup: 'leakwatch' })
  return ids
}

/**
 * The retainer path of each target, as the native side renders it in a report (see retainer-path-input.js); null
 * where there is none: the target is not retained by the program (reachable only through the ignored references or
 * through `openHolders`, or only weakly, or gone).
 * @param {object[]} targets live objects; the array is emptied, so that it does not hold them in the snapshot
 * @param {(fn: () => void) => void} [untracked] runs leakwatch's own timer creation outside every scope
 * @param {Array<{ holder: string, edge: string }>} [ignoreReferences] the references the search does not follow
 * @param {object[]} [openHolders] resources still open or pending (and their owners): the search does not follow
 *   their references, since what they hold they hold until they close; emptied as `targets` is
 * @returns {Promise<Array<object | null>>}
 */
export async function retainerPaths(targets, untracked = (fn) => fn(), ignoreReferences = [], openHolders = []) {
  const native = await loadNative()
  const session = new Session()
  session.connect()
  try {
    // V8 numbers objects for snapshots only while it tracks them, and follows the moves GC makes only then: tracking
    // spans from the ids to the end of the snapshot (whose own GC moves objects).
    await post(session, 'HeapProfiler.startTrackingHeapObjects', { trackAllocations: false })
    const ids = await heapObjectIds(session, targets)
    const heldByOpen = await heapObjectIds(session, openHolders)
    // A WeakRef deref'd in this job keeps its target until the job ends, a root the snapshot would show first.
    await nextTurn(untracked)
    const parser = new native.HeapSnapshotParser('the heap of this test run')
    await withRealNextTick(async () => {
      for await (const chunk of getHeapSnapshot()) parser.push(chunk)
    })
    const options = { ids, maxPaths: 1, top: 0, retainedSizes: true, ignoreReferences, heldByOpen }
    const analysis = JSON.parse(parser.finish(JSON.stringify(options)))
    return ids.map((id) => {
      const match = analysis.matches.find((candidate) => candidate.query === `@${id}`)
      const path = match?.paths?.[0]
      return path ? withSizesInWords(withNotes(path)) : null
    })
  } finally {
    // Not HeapProfiler.stopTrackingHeapObjects: that takes a second heap snapshot (for DevTools' allocation
    // timeline), as long to write as the first. Disabling the profiler stops the tracking and drops the ids.
    await post(session, 'HeapProfiler.disable', {}).catch(() => {})
    session.disconnect()
  }
}
