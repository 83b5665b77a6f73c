// Heap growth: heap after GC against test order, and whether it grows steadily; over a file, and over a suite.
//
// Samples come from forced GCs (mode `test`, or when a growth limit is set) or, by default, from the GCs the sampler
// forces when the heap has grown a step (see HeapSampler). The slope is a least-squares fit; "steady" needs enough
// samples, a good fit and real growth, so that a heap that just warms up is not called a leak.
//
// A suite's samples come from many heaps: each file runs in a worker of its own (or after other files in a reused
// one), so heap figures from different files are not points on one line, and one fit through them all would measure
// which worker ran what. The suite's slope is the pooled within-file fit instead: each file keeps its own intercept,
// and the files share one slope (sums of squares about each file's own means, added up). It is a weighted mean of
// the files' slopes, so it judges a suite of many short files, none with enough samples to be judged alone, by the
// growth they all show; and it depends only on each file's own samples, so shards merged give what one run gives.

import { formatBytes } from './bytes.js'

/** @typedef {{ testIndex: number, heapBytes: number }} HeapSample */

/** Sums of squares and products of one file's samples about their own means. */
function centredSums(samples) {
  const n = samples.length
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
  return { sxx, sxy, syy }
}

function slopeAndR2({ sxx, sxy, syy }) {
  if (sxx === 0 || syy === 0) return { slopeBytesPerTest: 0, r2: 0 }
  return { slopeBytesPerTest: sxy / sxx, r2: (sxy * sxy) / (sxx * syy) }
}

/** Least squares of heap bytes on test index: slope in bytes per test, and R². */
function fitGrowth(samples) {
  if (samples.length < 2) return { slopeBytesPerTest: 0, r2: 0 }
  return slopeAndR2(centredSums(samples))
}

/**
 * The pooled within-file fit: one slope shared by every file, each file about its own means (see above). Files with
 * fewer than two samples say nothing about a slope and are left out.
 * @param {HeapSample[][]} groups each file's samples
 * @returns {{ slopeBytesPerTest: number, r2: number, samples: number, files: number }}
 */
export function fitPooledGrowth(groups) {
  const pooled = { sxx: 0, sxy: 0, syy: 0 }
  let samples = 0
  let files = 0
  for (const group of groups) {
    if (group.length < 2) continue
    const sums = centredSums(group)
    pooled.sxx += sums.sxx
    pooled.sxy += sums.sxy
    pooled.syy += sums.syy
    samples += group.length
    files++
  }
  return { ...slopeAndR2(pooled), samples, files }
}

/** Growth that no warm-up explains: default thresholds for the warning shown with no options set. */
const STEADY_GROWTH = Object.freeze({
  minSamples: 5,
  minR2: 0.8,
  minSlopeBytesPerTest: 256 * 1024,
  minTotalBytes: 16 * 1024 * 1024,
})

/**
 * A fit that no warm-up explains. `samplesBeyondFirstPerFile`: the samples less one per file. A file's first sample
 * only places its own level (each file has its intercept), so the others are what speak to the slope; it is one
 * more than the fit's residual degrees of freedom, which also spend one on the slope.
 */
function isSteady({ slopeBytesPerTest, r2, samplesBeyondFirstPerFile, testCount }) {
  return (
    samplesBeyondFirstPerFile >= STEADY_GROWTH.minSamples - 1 &&
    r2 >= STEADY_GROWTH.minR2 &&
    slopeBytesPerTest >= STEADY_GROWTH.minSlopeBytesPerTest &&
    slopeBytesPerTest * testCount >= STEADY_GROWTH.minTotalBytes
  )
}

/**
 * The tests whose heap after GC grew most, largest first.
 * @param {Array<{ name: string, heapDeltaBytes: number | null }>} tests
 */
export function testsThatGrewMost(tests, count = 5) {
  return tests
    .filter((test) => test.heapDeltaBytes !== null && test.heapDeltaBytes > 0)
    .sort((a, b) => b.heapDeltaBytes - a.heapDeltaBytes)
    .slice(0, count)
}

/** The tests that grew most, a line each: growth, then name. */
export function grewMostLines(tests) {
  return testsThatGrewMost(tests).map((test) => `    ${formatBytes(test.heapDeltaBytes).padStart(9)}  ${test.name}`)
}

function worstTestsText(tests) {
  const worst = grewMostLines(tests)
  return worst.length > 0 ? `\n  the tests that grew most:\n${worst.join('\n')}` : ''
}

const GROWTH_HINT =
  '\n  Something keeps what each test made reachable: a module-level array or cache, a listener on a long-lived\n' +
  '  emitter, a mock that records its calls. watch(obj) on what should be garbage names the path that holds it.'

/**
 * Judges a file's heap growth: an error when over a limit, a warning when it grows steadily with no limit set.
 * `points` are the samples themselves, for a suite's pooled fit.
 * @param {{ samples: HeapSample[], tests: Array<{ name: string, heapDeltaBytes: number | null }>, testCount: number,
 *   fileName: string, maxHeapGrowthPerTest: number | null, maxHeapGrowthPerFile: number | null }} file
 * @returns {{ slopeBytesPerTest: number, r2: number, samples: number, grownBytes: number, points: HeapSample[],
 *   error: string | null, warning: string | null }}
 */
export function judgeGrowth({ samples, tests, testCount, fileName, maxHeapGrowthPerTest, maxHeapGrowthPerFile }) {
  const { slopeBytesPerTest, r2 } = fitGrowth(samples)
  const points = samples.map(({ testIndex, heapBytes }) => ({ testIndex, heapBytes }))
  const grownBytes = samples.length < 2 ? 0 : samples.at(-1).heapBytes - samples[0].heapBytes
  const result = { slopeBytesPerTest, r2, samples: samples.length, grownBytes, points, error: null, warning: null }
  if (samples.length < 2) return result
  const overPerTest = maxHeapGrowthPerTest !== null && samples.length >= 3 && slopeBytesPerTest > maxHeapGrowthPerTest
  const overPerFile = maxHeapGrowthPerFile !== null && grownBytes > maxHeapGrowthPerFile
  const summary =
    `heap after GC grew ${formatBytes(slopeBytesPerTest)} per test over ${testCount} tests ` +
    `(${formatBytes(grownBytes)} in all, ${samples.length} samples, fit R² ${r2.toFixed(2)})`
  if (overPerTest || overPerFile) {
    const limit = overPerTest
      ? `the limit is ${formatBytes(maxHeapGrowthPerTest)} per test (maxHeapGrowthPerTest)`
      : `the limit is ${formatBytes(maxHeapGrowthPerFile)} per file (maxHeapGrowthPerFile)`
    return { ...result, error: `file ${fileName}: ${summary}; ${limit}${worstTestsText(tests)}${GROWTH_HINT}` }
  }
  const steady = isSteady({ slopeBytesPerTest, r2, samplesBeyondFirstPerFile: samples.length - 1, testCount })
  if (maxHeapGrowthPerTest === null && maxHeapGrowthPerFile === null && steady) {
    return {
      ...result,
      warning: `file ${fileName}: ${summary}: it grows steadily${worstTestsText(tests)}${GROWTH_HINT}`,
    }
  }
  return result
}

/**
 * Judges a suite's heap growth from its files' samples (the pooled within-file fit): an error when over
 * `maxHeapGrowthPerTest`, a warning when it grows steadily with no limit set. The limit is judged once the files
 * have two samples beyond each one's first between them (what three samples give a single file), the warning with
 * four.
 * @param {{ files: Array<{ samples: HeapSample[], testCount: number }>,
 *   tests: Array<{ name: string, heapDeltaBytes: number | null }>, maxHeapGrowthPerTest: number | null }} suite
 *   `tests` named with their file, to name those that grew most
 * @returns {{ slopeBytesPerTest: number, r2: number, samples: number, files: number, error: string | null,
 *   warning: string | null }}
 */
export function judgeSuiteGrowth({ files, tests, maxHeapGrowthPerTest }) {
  const fit = fitPooledGrowth(files.map((file) => file.samples))
  const result = { ...fit, error: null, warning: null }
  const samplesBeyondFirstPerFile = fit.samples - fit.files
  if (fit.files === 0) return result
  const testCount = files.filter((file) => file.samples.length >= 2).reduce((sum, file) => sum + file.testCount, 0)
  const summary =
    `heap after GC grew ${formatBytes(fit.slopeBytesPerTest)} per test within its files (a fit pooled over ` +
    `${fit.files} file${fit.files === 1 ? '' : 's'} and ${fit.samples} samples, R² ${fit.r2.toFixed(2)}; ${testCount} tests)`
  if (maxHeapGrowthPerTest !== null && samplesBeyondFirstPerFile >= 2 && fit.slopeBytesPerTest > maxHeapGrowthPerTest) {
    const limit = `the limit is ${formatBytes(maxHeapGrowthPerTest)} per test (maxHeapGrowthPerTest)`
    return { ...result, error: `suite: ${summary}; ${limit}${worstTestsText(tests)}${GROWTH_HINT}` }
  }
  if (maxHeapGrowthPerTest === null && isSteady({ ...fit, samplesBeyondFirstPerFile, testCount })) {
    return { ...result, warning: `suite: ${summary}: it grows steadily${worstTestsText(tests)}${GROWTH_HINT}` }
  }
  return result
}
