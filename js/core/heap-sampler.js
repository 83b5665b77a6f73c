// Heap after GC, per test: forced (a full GC at the end of each test) or passive (the heap after the major GCs V8
// runs anyway, attributed to the test running then). Forced costs a GC per test; passive costs nothing, but V8 may
// run no major GC for a long while on a heap far from its limit. So passive mode also forces a GC when the heap
// (before GC) has grown a step past the last heap after GC: a clean suite, whose garbage scavenges keep down,
// rarely pays one; a leaking one gets a sample every step, which is what judging its growth needs.

import { PerformanceObserver, constants } from 'node:perf_hooks'
import { collectThoroughly, forceGc, heapFigures } from './gc.js'

/** Heap growth (before GC) past the last heap after GC that makes passive mode force a sample. */
const ADAPTIVE_STEP_BYTES = 32 * 1024 * 1024

export class HeapSampler {
  constructor() {
    /** @type {import('./heap-growth.js').HeapSample[]} heap after V8's own major GCs (and ours: it sees both) */
    this.passiveSamples = []
    /** @type {import('./heap-growth.js').HeapSample[]} heap after the GCs forced at the end of tests */
    this.forcedSamples = []
    this.testIndex = 0
    /** Per test: name and heap after GC when forced, to name the tests that grew most. */
    this.tests = []
    this.observer = null
    this.lastForcedBytes = undefined
    /** The last heap after GC (or, before any, the first heap seen): the base of the adaptive step. */
    this.lastAfterGcBytes = undefined
  }

  /** Starts passive sampling (idempotent). Created outside every scope: it is leakwatch's, not a test's. */
  start() {
    if (this.observer !== null) return
    this.observer = new PerformanceObserver((list) => {
      if (list.getEntries().some((entry) => entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)) {
        const heapBytes = process.memoryUsage().heapUsed
        this.passiveSamples.push({ testIndex: this.testIndex, heapBytes })
        this.lastAfterGcBytes = heapBytes
      }
    })
    this.observer.observe({ entryTypes: ['gc'] })
  }

  stop() {
    this.observer?.disconnect()
    this.observer = null
  }

  /** A new file: its samples start afresh. */
  /** The samples to judge a file by: every heap after GC seen, in test order. */
  get samples() {
    // A forced GC is seen by the observer too: one sample per test index from it is enough.
    const forcedAt = new Set(this.forcedSamples.map((sample) => sample.testIndex))
    const passive = this.passiveSamples.filter((sample) => !forcedAt.has(sample.testIndex))
    return [...this.forcedSamples, ...passive].sort((a, b) => a.testIndex - b.testIndex)
  }

  /**
   * A last heap after GC at the end of a file, taken only when the file already looks suspicious (at least two
   * samples, which a clean file rarely produces), or when a thorough GC just ran anyway (closed servers to check).
   */
  sampleFileEnd(justCollected) {
    if (!justCollected && (this.samples.length < 2 || this.testIndex === 0)) return
    if (!justCollected) forceGc()
    if (this.testIndex === 0 || this.forcedSamples.at(-1)?.testIndex === this.testIndex - 1) return
    this.forcedSamples.push({ testIndex: this.testIndex - 1, heapBytes: process.memoryUsage().heapUsed })
  }

  resetFile() {
    this.passiveSamples = []
    this.forcedSamples = []
    this.tests = []
    this.testIndex = 0
    this.lastForcedBytes = undefined
    this.lastAfterGcBytes = undefined
  }

  /**
   * Ends a test: its heap figures, after a forced GC when `forced`.
   * @returns {Promise<{ heapBytes: number, nativeBytes: number, afterGc: boolean, heapDeltaBytes: number | null }>}
   */
  async endTest(name, forced, untracked) {
    if (!forced) {
      const { heapUsed } = process.memoryUsage()
      this.lastAfterGcBytes ??= heapUsed
      if (heapUsed - this.lastAfterGcBytes >= ADAPTIVE_STEP_BYTES) forced = true
    }
    if (forced) await collectThoroughly(untracked)
    const figures = heapFigures()
    let heapDeltaBytes = null
    if (forced) {
      this.forcedSamples.push({ testIndex: this.testIndex, heapBytes: figures.heapBytes })
      if (this.lastForcedBytes !== undefined) heapDeltaBytes = figures.heapBytes - this.lastForcedBytes
      this.lastForcedBytes = figures.heapBytes
      this.lastAfterGcBytes = figures.heapBytes
      this.tests.push({ name, heapBytes: figures.heapBytes, heapDeltaBytes })
    }
    this.testIndex++
    return { ...figures, afterGc: forced, heapDeltaBytes }
  }
}
