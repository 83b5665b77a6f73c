// Heap after GC, per test: forced (a full GC at the end of each test) or adaptive: a GC forced only when the heap
// (before GC) has grown a step past the last heap after GC. A clean suite, whose garbage scavenges keep down, rarely
// pays one (none in the overhead benchmark); a leaking one gets a sample every step, which is what judging its growth
// needs. (Observing V8's own GCs with a PerformanceObserver was tried: an entry per scavenge cost ~10 % of the
// benchmark's CPU, and V8 may run no major GC for a long while on a heap far from its limit.)

import { collectThoroughly, forceGc, heapFigures, heapUsedBytes } from './gc.js'

/** Heap growth (before GC) past the last heap after GC that makes the adaptive mode force a sample. */
const ADAPTIVE_STEP_BYTES = 32 * 1024 * 1024

export class HeapSampler {
  constructor() {
    /** @type {import('./heap-growth.js').HeapSample[]} heap after the GCs forced at the end of tests, in order */
    this.samples = []
    this.testIndex = 0
    /** Per test: name and heap after GC when forced, to name the tests that grew most. */
    this.tests = []
    /** The first heap seen in the file, before any GC: the base of the adaptive step until there is a sample. */
    this.firstHeapBytes = undefined
  }

  /**
   * A last heap after GC at the end of a file, taken only when the file already looks suspicious (at least two
   * samples, which a clean file rarely produces), or when a thorough GC just ran anyway (closed servers to check).
   */
  sampleFileEnd(justCollected) {
    if (!justCollected && (this.samples.length < 2 || this.testIndex === 0)) return
    if (!justCollected) forceGc()
    if (this.testIndex === 0 || this.samples.at(-1)?.testIndex === this.testIndex - 1) return
    this.samples.push({ testIndex: this.testIndex - 1, heapBytes: heapUsedBytes() })
  }

  resetFile() {
    this.samples = []
    this.tests = []
    this.testIndex = 0
    this.firstHeapBytes = undefined
  }

  /**
   * Ends a test: its heap figures, after a forced GC when `forced`.
   * @returns {Promise<{ heapBytes: number, nativeBytes: number, afterGc: boolean, heapDeltaBytes: number | null }>}
   */
  async endTest(name, forced, untracked) {
    const previous = this.samples.at(-1)?.heapBytes
    let figures = heapFigures()
    if (!forced) {
      this.firstHeapBytes ??= figures.heapBytes
      forced = figures.heapBytes - (previous ?? this.firstHeapBytes) >= ADAPTIVE_STEP_BYTES
    }
    if (forced) {
      await collectThoroughly(untracked)
      figures = heapFigures()
    }
    let heapDeltaBytes = null
    if (forced) {
      this.samples.push({ testIndex: this.testIndex, heapBytes: figures.heapBytes })
      if (previous !== undefined) heapDeltaBytes = figures.heapBytes - previous
      this.tests.push({ name, heapBytes: figures.heapBytes, heapDeltaBytes })
    }
    this.testIndex++
    return { ...figures, afterGc: forced, heapDeltaBytes }
  }
}
