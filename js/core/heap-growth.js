// Heap growth over a file: heap after GC against test order, and whether it grows steadily.
//
// Samples come from forced GCs (mode `test`, or when a growth limit is set) or, by default, from the major GCs V8
// runs anyway (a PerformanceObserver): free, and frequent exactly when the heap grows fast, as in the incident this
// exists for. The slope is a least-squares fit; "steady" needs enough samples, a good fit and real growth, so that
// a heap that just warms up is not called a leak.

/** @typedef {{ testIndex: number, heapBytes: number }} HeapSample */

/** Least squares of heap bytes on test index: slope in bytes per test, and R². */
export function fitGrowth(samples) {
  const n = samples.length
  if (n < 2) return { slopeBytesPerTest: 0, r2: 0 }
  let sumX = 0
  let sumY = 0
  for (const { testIndex, heapBytes } of samples) {
    sumX += testIndex
    sumY += heapBytes
  }
  const meanX = sumX / n
  const meanY = sumY / n
  let sxx = 0
  let sxy = 0
  let syy = 0
  for (const { testIndex, heapBytes } of samples) {
    sxx += (testIndex - meanX) ** 2
    sxy += (testIndex - meanX) * (heapBytes - meanY)
    syy += (heapBytes - meanY) ** 2
  }
  if (sxx === 0 || syy === 0) return { slopeBytesPerTest: 0, r2: 0 }
  return { slopeBytesPerTest: sxy / sxx, r2: (sxy * sxy) / (sxx * syy) }
}

/** Growth that no warm-up explains: default thresholds for the warning shown with no options set. */
export const STEADY_GROWTH = Object.freeze({ minSamples: 5, minR2: 0.8, minSlopeBytesPerTest: 256 * 1024, minTotalBytes: 16 * 1024 * 1024 })

/**
 * @param {HeapSample[]} samples
 * @param {number} testCount the tests the file ran
 */
export function isSteadyGrowth(samples, testCount) {
  const { slopeBytesPerTest, r2 } = fitGrowth(samples)
  return (
    samples.length >= STEADY_GROWTH.minSamples &&
    r2 >= STEADY_GROWTH.minR2 &&
    slopeBytesPerTest >= STEADY_GROWTH.minSlopeBytesPerTest &&
    slopeBytesPerTest * testCount >= STEADY_GROWTH.minTotalBytes
  )
}

export function formatBytes(bytes) {
  const sign = bytes < 0 ? '-' : ''
  const abs = Math.abs(bytes)
  if (abs >= 1024 * 1024 * 1024) return `${sign}${(abs / 1024 ** 3).toFixed(2)} GB`
  if (abs >= 1024 * 1024) return `${sign}${(abs / 1024 ** 2).toFixed(1)} MB`
  if (abs >= 1024) return `${sign}${(abs / 1024).toFixed(0)} KB`
  return `${sign}${Math.round(abs)} B`
}

/**
 * Judges a file's heap growth: an error when over a limit, a warning when it grows steadily with no limit set.
 * @param {{ samples: HeapSample[], tests: Array<{ name: string, heapDeltaBytes: number | null }>, testCount: number,
 *   fileName: string, maxHeapGrowthPerTest: number | null, maxHeapGrowthPerFile: number | null }} file
 */
export function judgeGrowth({ samples, tests, testCount, fileName, maxHeapGrowthPerTest, maxHeapGrowthPerFile }) {
  const { slopeBytesPerTest, r2 } = fitGrowth(samples)
  const result = { slopeBytesPerTest, samples: samples.length }
  if (samples.length < 2) return result
  const grown = samples.at(-1).heapBytes - samples[0].heapBytes
  const overPerTest = maxHeapGrowthPerTest !== null && samples.length >= 3 && slopeBytesPerTest > maxHeapGrowthPerTest
  const overPerFile = maxHeapGrowthPerFile !== null && grown > maxHeapGrowthPerFile
  const summary =
    `heap after GC grew ${formatBytes(slopeBytesPerTest)} per test over ${testCount} tests ` +
    `(${formatBytes(grown)} in all, ${samples.length} samples, fit R² ${r2.toFixed(2)})`
  const worst = tests
    .filter((test) => test.heapDeltaBytes !== null && test.heapDeltaBytes > 0)
    .sort((a, b) => b.heapDeltaBytes - a.heapDeltaBytes)
    .slice(0, 5)
    .map((test) => `    ${formatBytes(test.heapDeltaBytes).padStart(9)}  ${test.name}`)
  const worstText = worst.length > 0 ? `\n  the tests that grew most:\n${worst.join('\n')}` : ''
  const hint =
    '\n  Something keeps what each test made reachable: a module-level array or cache, a listener on a long-lived\n' +
    '  emitter, a mock that records its calls. watch(obj) on what should be garbage names the path that holds it.'
  if (overPerTest || overPerFile) {
    const limit = overPerTest
      ? `the limit is ${formatBytes(maxHeapGrowthPerTest)} per test (maxHeapGrowthPerTest)`
      : `the limit is ${formatBytes(maxHeapGrowthPerFile)} per file (maxHeapGrowthPerFile)`
    return { ...result, error: `file ${fileName}: ${summary}; ${limit}${worstText}${hint}` }
  }
  if (maxHeapGrowthPerTest === null && maxHeapGrowthPerFile === null && isSteadyGrowth(samples, testCount)) {
    return { ...result, warning: `file ${fileName}: ${summary}: it grows steadily${worstText}${hint}` }
  }
  return result
}
