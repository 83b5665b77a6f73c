// `leakwatch merge`: reports from several runs of parts of one suite (vitest --shard on several machines, or runs of
// different files) as one. Files are taken as they are; totals and the suite's heap growth are derived again from
// them (report.js), so the merge of shards is what one run of the whole suite reports.

import { buildReport, combineOptions, LEAKWATCH_VERSION, REPORT_SCHEMA, REPORT_VERSION } from './report.js'

/** A report that cannot be read or merged: the message says which file and what is wrong with it. */
export class ReportInputError extends Error {}

function describeValue(value) {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

function invalid(name, where, what, value) {
  throw new ReportInputError(`${name} is not a valid leakwatch report: "${where}" must be ${what}; it is ${describeValue(value)}`)
}

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value)

/** Checks what merging relies on; a report of another schema or version is refused with what to do. */
export function checkReport(report, name) {
  if (!isObject(report)) throw new ReportInputError(`${name} is not a leakwatch report: it holds ${describeValue(report)}, not a report object`)
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
  if (!Array.isArray(report.files)) invalid(name, 'files', 'an array', report.files)
  if (!Array.isArray(report.sources)) invalid(name, 'sources', 'an array', report.sources)
  if (!isObject(report.options)) invalid(name, 'options', 'an object', report.options)
  report.files.forEach((file, fileIndex) => {
    const at = `files[${fileIndex}]`
    if (!isObject(file)) invalid(name, at, 'an object', file)
    if (typeof file.file !== 'string') invalid(name, `${at}.file`, 'a string', file.file)
    if (!Array.isArray(file.leaks)) invalid(name, `${at}.leaks`, 'an array', file.leaks)
    if (!Array.isArray(file.tests)) invalid(name, `${at}.tests`, 'an array', file.tests)
    file.tests.forEach((test, testIndex) => {
      if (!isObject(test)) invalid(name, `${at}.tests[${testIndex}]`, 'an object', test)
      if (typeof test.name !== 'string') invalid(name, `${at}.tests[${testIndex}].name`, 'a string', test.name)
      if (!Array.isArray(test.leaks)) invalid(name, `${at}.tests[${testIndex}].leaks`, 'an array', test.leaks)
    })
  })
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
  const withFiles = inputs.filter(({ report }) => report.files.length > 0)
  return buildReport({
    root: inputs[0].report.root,
    sources: inputs.flatMap(({ report }) => report.sources),
    options: combineOptions(withFiles.map(({ report }) => report.options)),
    files: inputs.flatMap(({ report }) => report.files),
  })
}
