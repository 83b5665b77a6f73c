// The end-of-run summary in the terminal: what leakwatch failed or only warned about, by file and test, with the
// kind, count and creation line of each leak; the heap growth of the tests and files that grew most, and of the
// suite; totals. It complements vitest's own output (which has each LeakError in full), so it stays short.

import { formatBytes } from '../core/bytes.js'
import { grewMostLines } from '../core/heap-growth.js'
import { failedHow } from './failure-words.js'
import { finished, testHeapDeltas } from './report.js'

/** Tests with leaks listed before the rest are only counted: in the whole summary, and in one file. */
const MAX_TESTS_LISTED = 30
const MAX_TESTS_LISTED_PER_FILE = 10
/** Creation sites listed for one test (or file scope); the rest are counted in a line. */
const MAX_SITES_LISTED = 5
/** Files that did not finish, named before the rest are only counted. */
const MAX_UNFINISHED_LISTED = 10
const MAX_DESCRIPTION = 70

const STYLES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  yellow: [33, 39],
  green: [32, 39],
  inverseRed: [41, 49],
  inverseYellow: [43, 49],
}

function painter(color) {
  const paint = {}
  for (const [name, [open, close]] of Object.entries(STYLES)) {
    paint[name] = color ? (text) => `\u001b[${open}m${text}\u001b[${close}m` : (text) => text
  }
  return paint
}

/** Colours when the stream is a terminal and NO_COLOR is unset, or when FORCE_COLOR asks for them. */
export function wantsColor(stream = process.stdout) {
  const force = process.env.FORCE_COLOR
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false'
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env)
}

const plural = (count, word, many = `${word}s`) => `${count} ${count === 1 ? word : many}`

/** A file as a person looks for it: relative to the root, or from its (innermost) node_modules folder. */
function shortPath(file, root) {
  if (root && file.startsWith(`${root}/`)) return file.slice(root.length + 1)
  const inDependency = file.lastIndexOf('/node_modules/')
  return inDependency < 0 ? file : file.slice(inDependency + 1)
}

/** Where a leak was created: its site in user code, or the top of its stack. */
function where(leak, root) {
  const frame = leak.site ?? leak.topFrames?.[0]
  if (!frame) return '(no creation site)'
  const file = shortPath(frame.file, root)
  const at = `${file}:${frame.line}:${frame.column}`
  return leak.site ? `created at ${at}` : `created inside ${at} (no frame of your code)`
}

function shorten(text, max) {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

/**
 * A scope's leaks by creation site, as the worker grouped them: `2 × TCP socket  created at src/a.ts:8:3  TCP socket
 * 127.0.0.1:41000–41003 -> 127.0.0.1:6379`; past MAX_SITES_LISTED, one line counts the rest.
 */
function leakLines(scope, root, paint) {
  const lines = scope.leakGroups.slice(0, MAX_SITES_LISTED).map((group) => {
    const leak = scope.leaks[group.leak]
    return `        ${paint.bold(`${group.count} × ${leak.kind}`)}  ${where(leak, root)}  ${paint.dim(shorten(group.description, MAX_DESCRIPTION))}`
  })
  const listed = scope.leakGroups.slice(0, MAX_SITES_LISTED).reduce((sum, group) => sum + group.count, 0)
  const sites = scope.leakGroupCount - Math.min(scope.leakGroups.length, MAX_SITES_LISTED)
  if (sites > 0)
    lines.push(
      `        … and ${plural(sites, 'more creation site')} (${plural(scope.leakCount - listed, 'leak')}): see the JSON report`,
    )
  return lines
}

/** A growth verdict's first line: what grew and the limit (its list of tests is in the summary already). */
function verdictLine(text) {
  return text.split('\n')[0]
}

/** The file scope's entry: its own leaks, or why leakwatch failed the file when that is not in the lines below. */
function fileScopeEntries(file, root, paint) {
  const reasons = file.failureReasons.filter((reason) => reason !== 'heapGrowth')
  if (file.leakCount === 0 && reasons.length === 0) return []
  const mark = file.failedByLeaks ? paint.red('✗') : paint.yellow('⚠')
  const how = file.failedByLeaks
    ? `the file ${failedHow(file.failureReasons)}`
    : "warn-only (onLeak: 'warn'): the file passed"
  const count = file.leakCount > 0 ? `${plural(file.leakCount, 'leak')}; ` : ''
  return [
    `    ${mark} file scope (module level, beforeAll, closed servers kept reachable)  ${paint.dim(`${count}${how}`)}`,
    ...leakLines(file, root, paint),
  ]
}

function testEntries(test, file, root, paint) {
  const mark = test.failedByLeaks ? paint.red('✗') : paint.yellow('⚠')
  let how = test.state
  if (test.failedByLeaks) how = failedHow(test.failureReasons)
  else if (test.warned) how = "warn-only (onLeak: 'warn'): passed"
  else if (file.failureReasons.includes('testLeaks'))
    how = `${test.state === 'pass' ? 'passed' : test.state}: its leaks failed the file`
  const count = test.leakCount > 0 ? `${plural(test.leakCount, 'leak')}; ` : ''
  return [`    ${mark} ${test.name}  ${paint.dim(`${count}${how}`)}`, ...leakLines(test, root, paint)]
}

function leaksSection(report, paint) {
  const lines = []
  let listed = 0
  let unlisted = 0
  for (const file of report.files) {
    const entries = fileScopeEntries(file, report.root, paint)
    let listedInFile = 0
    let unlistedInFile = 0
    for (const test of file.tests) {
      if (test.leakCount === 0 && !test.failedByLeaks) continue
      if (listed >= MAX_TESTS_LISTED) {
        unlisted++
        continue
      }
      if (listedInFile >= MAX_TESTS_LISTED_PER_FILE) {
        unlistedInFile++
        continue
      }
      listed++
      listedInFile++
      entries.push(...testEntries(test, file, report.root, paint))
    }
    if (unlistedInFile > 0)
      entries.push(`    … and ${plural(unlistedInFile, 'more test')} with leaks in this file: see the JSON report`)
    if (entries.length > 0)
      lines.push(`  ${paint.bold(file.file)}${file.project ? paint.dim(` [${file.project}]`) : ''}`, ...entries)
  }
  if (unlisted > 0) lines.push(`  … and ${plural(unlisted, 'more test')} with leaks: see the JSON report`)
  return lines.length > 0 ? ['', paint.bold(' Leaks by file and test'), ...lines] : []
}

/** The files that did not finish: nothing in them was checked to the end. */
function unfinishedSection(report, paint, why) {
  const files = report.files.filter((file) => file.state === 'unfinished')
  if (files.length === 0) return []
  const lines = files.slice(0, MAX_UNFINISHED_LISTED).map((file) => {
    const tests = file.tests.filter((test) => test.state === 'unfinished').length
    return `  ${paint.yellow('⚠')} ${file.file}${file.project ? paint.dim(` [${file.project}]`) : ''}  ${paint.dim(`${plural(tests, 'test')} without a result`)}`
  })
  if (files.length > MAX_UNFINISHED_LISTED)
    lines.push(`  … and ${plural(files.length - MAX_UNFINISHED_LISTED, 'more file')}`)
  return ['', paint.bold(` Files that did not finish (${why}): not checked`), ...lines]
}

function heapSection(report, paint) {
  const lines = []
  const grewMost = grewMostLines(testHeapDeltas(report.files))
  if (grewMost.length > 0) lines.push('  tests that grew most (heap after GC, against the test before):', ...grewMost)
  const files = report.files
    .filter((file) => (file.heap?.samples ?? 0) >= 2 && file.heap.slopeBytesPerTest > 0)
    .sort((a, b) => b.heap.slopeBytesPerTest - a.heap.slopeBytesPerTest)
    .slice(0, 5)
  if (files.length > 0) {
    lines.push('  files that grew most (slope of heap after GC):')
    for (const file of files) {
      const { slopeBytesPerTest, samples, r2 } = file.heap
      lines.push(
        `    ${formatBytes(slopeBytesPerTest).padStart(9)} per test  ${file.file}  ${paint.dim(`(${samples} samples, R² ${r2.toFixed(2)})`)}`,
      )
    }
  }
  for (const file of report.files) {
    if (file.heap?.error) lines.push(`  ${paint.red('✗')} ${verdictLine(file.heap.error)}`)
    else if (file.heap?.warning) lines.push(`  ${paint.yellow('⚠')} ${verdictLine(file.heap.warning)}`)
  }
  const { suite } = report
  if (suite.error) lines.push(`  ${paint.red('✗')} ${verdictLine(suite.error)}`)
  else if (suite.warning) lines.push(`  ${paint.yellow('⚠')} ${verdictLine(suite.warning)}`)
  else if (suite.files > 0) {
    const fit = `(pooled over ${plural(suite.files, 'file')}, ${suite.samples} samples, R² ${suite.r2.toFixed(2)})`
    lines.push(
      `  suite: heap after GC grew ${formatBytes(suite.slopeBytesPerTest)} per test within its files ${paint.dim(fit)}`,
    )
  }
  return lines.length > 0 ? ['', paint.bold(' Heap growth'), ...lines] : []
}

function warningsSection(report, paint) {
  const warnings = report.files.flatMap((file) => [...file.warnings, ...file.tests.flatMap((test) => test.warnings)])
  return warnings.length > 0
    ? ['', paint.bold(' Warnings'), ...warnings.map((warning) => `  ${paint.yellow('⚠')} ${warning}`)]
    : []
}

function headline(report, paint) {
  const { totals, suite } = report
  const failed = []
  if (totals.testsFailedByLeaks > 0) failed.push(plural(totals.testsFailedByLeaks, 'test'))
  if (totals.filesFailedByLeaks > 0) failed.push(plural(totals.filesFailedByLeaks, 'file'))
  const parts = []
  if (failed.length > 0) parts.push(paint.red(`${failed.join(' and ')} failed by leaks`))
  if (suite.error) parts.push(paint.red('the suite grew past maxHeapGrowthPerTest: the run fails'))
  if (totals.testsWarned + totals.filesWarned > 0) {
    const leakers = [
      totals.testsWarned > 0 && plural(totals.testsWarned, 'test'),
      totals.filesWarned > 0 && plural(totals.filesWarned, 'file'),
    ]
    parts.push(
      paint.yellow(
        `${leakers.filter(Boolean).join(' and ')} leaked in warn-only mode (onLeak: 'warn'): passed, exit code unchanged`,
      ),
    )
  }
  const growing = [
    totals.filesWithHeapWarning > 0 && plural(totals.filesWithHeapWarning, 'file'),
    suite.warning && 'the suite',
  ].filter(Boolean)
  if (growing.length > 0) parts.push(paint.yellow(`heap after GC grows steadily in ${growing.join(' and ')}`))
  if (totals.filesUnfinished > 0)
    parts.push(paint.yellow(`${plural(totals.filesUnfinished, 'file')} did not finish: not checked`))
  if (parts.length === 0) {
    const checked = report.files.flatMap((file) => file.tests).filter((test) => finished(test) && !test.allowed).length
    const unchecked = totals.tests - checked
    parts.push(
      paint.green(`no leaks in ${plural(checked, 'test')} checked`) +
        (unchecked > 0 ? paint.yellow(` (${unchecked} not checked)`) : ''),
    )
  }
  const warned = totals.testsWarned + totals.filesWarned + totals.filesUnfinished > 0 || growing.length > 0
  const badge =
    failed.length > 0 || suite.error
      ? paint.inverseRed(' leakwatch ')
      : warned
        ? paint.inverseYellow(' leakwatch ')
        : paint.bold(' leakwatch ')
  return `${badge} ${parts.join(' · ')}`
}

function totalsLine(report) {
  const { totals } = report
  const kinds = Object.entries(totals.leaksByKind).map(([kind, count]) => `${kind} ${count}`)
  return (
    `  Totals: ${plural(totals.files, 'file')}, ${plural(totals.tests, 'test')} run; ` +
    `failed by leaks: ${plural(totals.testsFailedByLeaks, 'test')}, ${plural(totals.filesFailedByLeaks, 'file')}; ` +
    `warn-only: ${plural(totals.testsWarned, 'test')}, ${plural(totals.filesWarned, 'file')}; ` +
    `${plural(totals.leaks, 'leak')}${kinds.length > 0 ? ` (${kinds.join(', ')})` : ''}; ` +
    `heap: ${totals.filesOverHeapLimit} over a limit, ${plural(totals.filesWithHeapWarning, 'warning')}` +
    (totals.filesUnfinished + totals.testsUnfinished > 0
      ? `; did not finish: ${plural(totals.filesUnfinished, 'file')}, ${plural(totals.testsUnfinished, 'test')}`
      : '')
  )
}

/** The summary's last line: the report files written, or nothing when none was. */
export function formatWritten(written) {
  return written.length > 0 ? `  Reports: ${written.join(', ')}\n` : ''
}

/** Why files did not finish, as far as the run's end tells. */
const UNFINISHED_WHY = {
  interrupted: 'the run was interrupted: --bail, or a signal',
  failed: 'their worker exited before they ended: a crash, process.abort(), a kill',
  unknown: 'their worker exited before they ended, or the run was interrupted',
}

/**
 * @param {object} report a leakwatch report (see report.js)
 * @param {{ color?: boolean, written?: string[], runEnd?: 'passed' | 'failed' | 'interrupted' }} [options]
 *   `written`: the report files written, to name them; `runEnd`: how vitest says the run ended
 */
export function formatSummary(report, { color = false, written = [], runEnd } = {}) {
  const paint = painter(color)
  const why = UNFINISHED_WHY[runEnd === 'interrupted' ? 'interrupted' : runEnd === undefined ? 'unknown' : 'failed']
  const lines = [
    '',
    headline(report, paint),
    ...leaksSection(report, paint),
    ...unfinishedSection(report, paint, why),
    ...heapSection(report, paint),
    ...warningsSection(report, paint),
    '',
    totalsLine(report),
  ]
  return `${lines.join('\n')}\n${formatWritten(written)}`
}
