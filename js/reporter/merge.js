// `leakwatch merge`: reports from several runs of parts of one suite (vitest --shard on several machines, or runs of
// different files) as one. Files are taken as they are; the suite's options, totals and heap growth are derived again
// from them (report.js), so the merge of shards is what one run of the whole suite reports.
//
// Every field of the files that the totals, the suite's fit, the summary or the HTML page read is checked first: a
// report edited by hand or cut short is refused with the field that is wrong, before anything is written, rather
// than crash half-way or (a heap sample that is not a number) make the suite's slope NaN and pass a suite over its
// limit.

import { describeValue } from '../core/describe-value.js'
import { HEAP_MODES, ON_LEAK } from '../core/options.js'
import { FAILURE_REASONS } from '../core/report-meta.js'
import { buildReport, LEAKWATCH_VERSION, REPORT_SCHEMA, REPORT_VERSION } from './report.js'

/** A report that cannot be read or merged: the message says which file and what is wrong with it. */
export class ReportInputError extends Error {}

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value)
const isString = (value) => typeof value === 'string'
const isBoolean = (value) => typeof value === 'boolean'
const isCount = (value) => Number.isSafeInteger(value) && value >= 0
const isFiniteNumber = (value) => Number.isFinite(value)
const orNull = (check) => (value) => value === null || check(value)
const isAbsent = (value) => value === null || value === undefined

const STATES = ['pass', 'fail', 'skip', 'unfinished']
const quoted = (values) => values.map((value) => JSON.stringify(value)).join(', ')

/** Checks one report's fields, each error naming the report and the field's place in it. */
class ReportChecker {
  constructor(name) {
    this.name = name
  }

  fail(where, what, value) {
    throw new ReportInputError(
      `${this.name}: ${where} must be ${what}; it is ${value === undefined ? 'missing' : describeValue(value)} ` +
        "(not a report as leakwatch's reporter writes it: merge the reports it wrote, unedited)",
    )
  }

  expect(check, value, where, what) {
    if (!check(value)) this.fail(where, what, value)
  }

  /** A field that may be absent (or null), and is of its kind when there. */
  optional(check, value, where, what) {
    if (!isAbsent(value) && !check(value)) this.fail(where, `${what} or null`, value)
  }

  list(value, where, checkItem) {
    this.expect(Array.isArray, value, where, 'an array')
    value.forEach((item, index) => checkItem(item, `${where}[${index}]`))
  }

  strings(value, where) {
    this.list(value, where, (item, at) => this.expect(isString, item, at, 'a string'))
  }

  counts(value, where) {
    this.expect(isObject, value, where, 'an object of counts')
    for (const [key, count] of Object.entries(value))
      this.expect(isFiniteNumber, count, `${where}[${JSON.stringify(key)}]`, 'a number')
  }

  oneOf(values, value, where) {
    this.expect((candidate) => values.includes(candidate), value, where, `one of ${quoted(values)}`)
  }

  frame(frame, at) {
    this.expect(isObject, frame, at, 'an object (a stack frame)')
    this.expect(isString, frame.file, `${at}.file`, 'a string')
    this.expect(isCount, frame.line, `${at}.line`, 'a whole number')
    this.expect(isCount, frame.column, `${at}.column`, 'a whole number')
    this.optional(isString, frame.function, `${at}.function`, 'a string')
    this.optional(isString, frame.absoluteFile, `${at}.absoluteFile`, 'a string')
  }

  leak(leak, at) {
    this.expect(isObject, leak, at, 'an object (a leak)')
    this.expect(isString, leak.kind, `${at}.kind`, 'a string')
    this.expect(isString, leak.description, `${at}.description`, 'a string')
    if (!isAbsent(leak.site)) this.frame(leak.site, `${at}.site`)
    for (const key of ['userFrames', 'topFrames']) {
      if (!isAbsent(leak[key])) this.list(leak[key], `${at}.${key}`, (frame, where) => this.frame(frame, where))
    }
    for (const key of ['type', 'cause', 'note', 'emitter', 'event', 'retainerPath'])
      this.optional(isString, leak[key], `${at}.${key}`, 'a string')
    this.optional(isBoolean, leak.hasRef, `${at}.hasRef`, 'true or false')
    this.optional(isFiniteNumber, leak.asyncId, `${at}.asyncId`, 'a number')
  }

  /**
   * A scope's leaks as the report keeps them: the records, the counts the totals add up (every leak, also those past
   * the records kept), and the groups by creation site, each pointing at its first record.
   */
  scopeLeaks(scope, at) {
    this.list(scope.leaks, `${at}.leaks`, (leak, where) => this.leak(leak, where))
    this.expect(isCount, scope.leakCount, `${at}.leakCount`, 'a whole number')
    if (scope.leakCount < scope.leaks.length)
      this.fail(`${at}.leakCount`, `at least the number of its leaks (${scope.leaks.length})`, scope.leakCount)
    this.expect(isObject, scope.leaksByKind, `${at}.leaksByKind`, 'an object of counts')
    let byKind = 0
    for (const [kind, count] of Object.entries(scope.leaksByKind)) {
      this.expect(isCount, count, `${at}.leaksByKind[${JSON.stringify(kind)}]`, 'a whole number')
      byKind += count
    }
    if (byKind !== scope.leakCount)
      this.fail(`${at}.leakCount`, `the sum of its leaksByKind (${byKind})`, scope.leakCount)
    this.list(scope.leakGroups, `${at}.leakGroups`, (group, where) => {
      this.expect(isObject, group, where, 'an object { count, description, leak }')
      this.expect((count) => isCount(count) && count > 0, group.count, `${where}.count`, 'a whole number from 1')
      this.expect(isString, group.description, `${where}.description`, 'a string')
      this.expect(
        (leak) => isCount(leak) && leak < scope.leaks.length,
        group.leak,
        `${where}.leak`,
        `the index of one of its leaks (0 to ${scope.leaks.length - 1})`,
      )
    })
    this.expect(isCount, scope.leakGroupCount, `${at}.leakGroupCount`, 'a whole number')
    if (scope.leakGroupCount < scope.leakGroups.length) {
      this.fail(
        `${at}.leakGroupCount`,
        `at least the number of its leakGroups (${scope.leakGroups.length})`,
        scope.leakGroupCount,
      )
    }
  }

  /** Why leakwatch failed a test or file: failedByLeaks says there is a reason. */
  failureReasons(record, at) {
    this.list(record.failureReasons, `${at}.failureReasons`, (reason, where) =>
      this.oneOf(FAILURE_REASONS, reason, where),
    )
    if (record.failedByLeaks !== record.failureReasons.length > 0) {
      this.fail(
        `${at}.failedByLeaks`,
        `${record.failureReasons.length > 0} (its failureReasons are ${JSON.stringify(record.failureReasons)})`,
        record.failedByLeaks,
      )
    }
  }

  /** A file's heap growth: the samples the suite's fit pools, and the figures the summary and the page show. */
  fileHeap(heap, at) {
    this.expect(isObject, heap, at, 'an object or null')
    for (const key of ['slopeBytesPerTest', 'r2', 'grownBytes'])
      this.expect(isFiniteNumber, heap[key], `${at}.${key}`, 'a number')
    this.expect(isCount, heap.samples, `${at}.samples`, 'a whole number')
    this.list(heap.points, `${at}.points`, (point, where) => {
      this.expect(isObject, point, where, 'an object { testIndex, heapBytes }')
      this.expect(isCount, point.testIndex, `${where}.testIndex`, 'a whole number from 0')
      this.expect(isFiniteNumber, point.heapBytes, `${where}.heapBytes`, 'a number of bytes')
    })
    if (heap.samples !== heap.points.length)
      this.fail(`${at}.samples`, `the number of its points (${heap.points.length})`, heap.samples)
    this.expect(orNull(isString), heap.error, `${at}.error`, 'a string or null')
    this.expect(orNull(isString), heap.warning, `${at}.warning`, 'a string or null')
  }

  /** The options a file ran with, which the suite's are derived from. */
  fileOptions(options, at) {
    this.expect(isObject, options, at, 'an object or null')
    this.oneOf(HEAP_MODES, options.heap, `${at}.heap`)
    for (const key of ['maxHeapGrowthPerTest', 'maxHeapGrowthPerFile']) {
      this.expect(
        orNull((value) => isFiniteNumber(value) && value >= 0),
        options[key],
        `${at}.${key}`,
        'a number of bytes or null',
      )
    }
    this.oneOf(ON_LEAK, options.onLeak, `${at}.onLeak`)
  }

  testHeap(heap, at) {
    this.expect(isObject, heap, at, 'an object or null')
    this.expect(isFiniteNumber, heap.heapBytes, `${at}.heapBytes`, 'a number of bytes')
    this.expect(isFiniteNumber, heap.nativeBytes, `${at}.nativeBytes`, 'a number of bytes')
    this.expect(isBoolean, heap.afterGc, `${at}.afterGc`, 'true or false')
    this.expect(orNull(isFiniteNumber), heap.heapDeltaBytes, `${at}.heapDeltaBytes`, 'a number of bytes or null')
  }

  test(test, at) {
    this.expect(isObject, test, at, 'an object (a test)')
    this.expect(isString, test.name, `${at}.name`, 'a string')
    this.expect(isCount, test.index, `${at}.index`, 'a whole number from 0')
    this.oneOf(STATES, test.state, `${at}.state`)
    for (const key of ['failedByLeaks', 'warned', 'allowed'])
      this.expect(isBoolean, test[key], `${at}.${key}`, 'true or false')
    this.failureReasons(test, at)
    this.expect(orNull(isFiniteNumber), test.durationMs, `${at}.durationMs`, 'a number or null')
    for (const key of ['created', 'handles', 'listeners']) this.counts(test[key], `${at}.${key}`)
    if (test.heap !== null) this.testHeap(test.heap, `${at}.heap`)
    this.scopeLeaks(test, at)
    this.strings(test.warnings, `${at}.warnings`)
  }

  file(file, at) {
    this.expect(isObject, file, at, 'an object (a test file)')
    this.expect(isString, file.file, `${at}.file`, 'a string')
    this.expect(orNull(isString), file.project, `${at}.project`, 'a string or null')
    this.expect(orNull(isString), file.pool, `${at}.pool`, 'a string or null')
    this.expect(orNull(isCount), file.workerId, `${at}.workerId`, 'a whole number or null')
    this.oneOf(STATES, file.state, `${at}.state`)
    for (const key of ['allowed', 'failedByLeaks', 'warned'])
      this.expect(isBoolean, file[key], `${at}.${key}`, 'true or false')
    this.failureReasons(file, at)
    this.scopeLeaks(file, at)
    if (file.heap !== null) this.fileHeap(file.heap, `${at}.heap`)
    this.strings(file.warnings, `${at}.warnings`)
    if (file.options !== null) this.fileOptions(file.options, `${at}.options`)
    this.list(file.tests, `${at}.tests`, (test, where) => this.test(test, where))
  }

  report(report) {
    this.expect(isString, report.root, 'root', 'a string (the path file names are relative to)')
    this.list(report.sources, 'sources', (source, at) => {
      this.expect(isObject, source, at, 'an object { createdAt, shard, hostname }')
      this.expect(isString, source.createdAt, `${at}.createdAt`, 'a string')
      this.expect(orNull(isString), source.shard, `${at}.shard`, 'a string or null')
      this.expect(isString, source.hostname, `${at}.hostname`, 'a string')
    })
    this.list(report.files, 'files', (file, at) => this.file(file, at))
  }
}

/** Checks all that merging, the summary and the HTML page rely on; a report of another schema or version is refused with what to do. */
function checkReport(report, name) {
  if (!isObject(report))
    throw new ReportInputError(
      `${name} is not a leakwatch report: it holds ${describeValue(report)}, not a report object`,
    )
  if (report.schema !== REPORT_SCHEMA) {
    throw new ReportInputError(
      `${name} is not a leakwatch report: its "schema" is ${report.schema === undefined ? 'missing' : JSON.stringify(report.schema)}, ` +
        `expected "${REPORT_SCHEMA}" (the reporter writes one: reporters: ['default', 'leakwatch/reporter'])`,
    )
  }
  if (report.version !== REPORT_VERSION) {
    throw new ReportInputError(
      `${name} is a leakwatch report of schema version ${JSON.stringify(report.version)}; this leakwatch (${LEAKWATCH_VERSION}) ` +
        `reads version ${REPORT_VERSION}: merge reports written by the same leakwatch version`,
    )
  }
  new ReportChecker(name).report(report)
  return report
}

/** Parses a report file's text, with errors naming the file. */
export function parseReport(text, name) {
  let report
  try {
    report = JSON.parse(text)
  } catch (error) {
    throw new ReportInputError(`${name} is not JSON (${error.message}): is it a leakwatch report?`)
  }
  return checkReport(report, name)
}

/**
 * @param {Array<{ name: string, report: object }>} inputs checked reports, with the names errors give them
 * @returns {object} the merged report
 */
export function mergeReports(inputs) {
  if (inputs.length === 0) throw new ReportInputError('no report to merge')
  const seen = new Map()
  for (const { name, report } of inputs) {
    for (const file of report.files) {
      const key = `${file.file}${file.project ? ` (project ${file.project})` : ''}`
      const earlier = seen.get(key)
      if (earlier !== undefined) {
        throw new ReportInputError(
          `the test file ${key} is in both ${earlier} and ${name}: merge combines reports of different parts of a suite ` +
            '(its shards); was one part run twice, or one report given twice?',
        )
      }
      seen.set(key, name)
    }
  }
  return buildReport({
    root: inputs[0].report.root,
    sources: inputs.flatMap(({ report }) => report.sources),
    files: inputs.flatMap(({ report }) => report.files),
  })
}
