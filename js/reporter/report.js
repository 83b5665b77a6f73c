// The leakwatch report (schema `leakwatch-report`, version 1): built from its files' records, whichever runner or
// shard produced them. The suite's options, totals and heap growth are derived here from the files alone, so a
// report merged from shards is the one a single run of the whole suite gives (same files, same tests, same totals,
// the same limit judged).

import { readFileSync } from 'node:fs'
import { judgeSuiteGrowth } from '../core/heap-growth.js'

export const REPORT_SCHEMA = 'leakwatch-report'
export const REPORT_VERSION = 1

export const LEAKWATCH_VERSION = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).version

/**
 * The options of many files as one: a heap mode they share (or `'mixed'`), and a growth limit only when every one
 * had a limit (the most lenient of them): a limit one file set for itself is not the suite's.
 * @param {Array<{ heap?: string | null, maxHeapGrowthPerTest?: number | null, maxHeapGrowthPerFile?: number | null }>} list
 */
function combineOptions(list) {
  const modes = [...new Set(list.map((options) => options.heap ?? null))]
  const limit = (key) => {
    const values = list.map((options) => options[key] ?? null)
    return values.length > 0 && values.every((value) => value !== null) ? Math.max(...values) : null
  }
  return {
    heap: modes.length === 0 ? null : modes.length === 1 ? modes[0] : 'mixed',
    maxHeapGrowthPerTest: limit('maxHeapGrowthPerTest'),
    maxHeapGrowthPerFile: limit('maxHeapGrowthPerFile'),
  }
}

function increment(counts, key, by = 1) {
  counts[key] = (counts[key] ?? 0) + by
}

/** A test or file that ran to its end: passed or failed, not skipped and not cut short. */
export const finished = (record) => record.state === 'pass' || record.state === 'fail'

/** Totals over the files: what ran, what leakwatch failed or only warned about, leaks by kind, heap verdicts. */
export function reportTotals(files) {
  const totals = {
    files: files.length,
    tests: 0,
    testsFailedByLeaks: 0,
    testsWarned: 0,
    filesFailedByLeaks: 0,
    filesWarned: 0,
    leaks: 0,
    leaksByKind: {},
    filesWithHeapWarning: 0,
    filesOverHeapLimit: 0,
    filesUnfinished: 0,
    testsUnfinished: 0,
  }
  // Every leak, also those past the records a scope keeps.
  const countLeaks = (scope) => {
    totals.leaks += scope.leakCount
    for (const [kind, count] of Object.entries(scope.leaksByKind)) increment(totals.leaksByKind, kind, count)
  }
  for (const file of files) {
    countLeaks(file)
    if (file.failedByLeaks) totals.filesFailedByLeaks++
    if (file.warned) totals.filesWarned++
    if (file.heap?.warning) totals.filesWithHeapWarning++
    if (file.heap?.error) totals.filesOverHeapLimit++
    if (file.state === 'unfinished') totals.filesUnfinished++
    for (const test of file.tests) {
      if (finished(test)) totals.tests++
      if (test.state === 'unfinished') totals.testsUnfinished++
      if (test.failedByLeaks) totals.testsFailedByLeaks++
      if (test.warned) totals.testsWarned++
      countLeaks(test)
    }
  }
  totals.leaksByKind = Object.fromEntries(
    Object.entries(totals.leaksByKind).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  )
  return totals
}

/** The suite's heap growth: the files' samples in one pooled fit (see js/core/heap-growth.js), judged. */
function suiteHeapGrowth(files, options) {
  const sampled = files.filter((file) => Array.isArray(file.heap?.points))
  return judgeSuiteGrowth({
    files: sampled.map((file) => ({ samples: file.heap.points, testCount: file.tests.filter(finished).length })),
    tests: testHeapDeltas(files),
    maxHeapGrowthPerTest: options.maxHeapGrowthPerTest ?? null,
  })
}

/** Every test's heap change against the test before, named `file > test`: what "the tests that grew most" ranks. */
export function testHeapDeltas(files) {
  return files.flatMap((file) =>
    file.tests.map((test) => ({
      name: `${file.file} > ${test.name}`,
      heapDeltaBytes: test.heap?.heapDeltaBytes ?? null,
    })),
  )
}

function byFileThenProject(a, b) {
  const keyA = `${a.file}\u0000${a.project ?? ''}`
  const keyB = `${b.file}\u0000${b.project ?? ''}`
  return keyA < keyB ? -1 : keyA > keyB ? 1 : 0
}

/**
 * The suite's options, from the options each file ran with. A file leakwatch never ran in (its tests all skipped, or
 * it failed to load) has none and says nothing about them: in a whole run as in the shard that held it alone.
 */
function suiteOptions(files) {
  return combineOptions(
    files.map((file) => file.options).filter((options) => options !== null && options !== undefined),
  )
}

/**
 * @param {{ root: string, sources: object[], files: object[], createdAt?: string }} parts `files` as the schema has
 *   them, in any order
 */
export function buildReport({ root, sources, files, createdAt = new Date().toISOString() }) {
  const sorted = [...files].sort(byFileThenProject)
  const options = suiteOptions(sorted)
  return {
    schema: REPORT_SCHEMA,
    version: REPORT_VERSION,
    leakwatchVersion: LEAKWATCH_VERSION,
    createdAt,
    root,
    sources,
    options,
    totals: reportTotals(sorted),
    suite: suiteHeapGrowth(sorted, options),
    files: sorted,
  }
}

/** True when leakwatch failed something in the report: a test, a file, or the suite's heap growth. */
export function leakwatchFailed(report) {
  const { totals, suite } = report
  return totals.testsFailedByLeaks > 0 || totals.filesFailedByLeaks > 0 || Boolean(suite.error)
}
