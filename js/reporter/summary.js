// The end-of-run summary in the terminal: what leakwatch failed or only warned about, by file and test, with the
// kind, count and creation line of each leak; the heap growth of the tests and files that grew most, and of the
// suite; totals. It complements vitest's own output (which has each LeakError in full), so it stays short.

import { formatBytes } from '../core/bytes.js'
import { grewMostLines } from '../core/heap-growth.js'
import { testHeapDeltas } from './report.js'

/** Tests with leaks listed before the rest are only counted. */
const MAX_TESTS_LISTED = 30
const MAX_DESCRIPTION = 70

const STYLES = { bold: [1, 22], dim: [2, 22], red: [31, 39], yellow: [33, 39], green: [32, 39], inverseRed: [41, 49], inverseYellow: [43, 49] }

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

/** A scope's leaks grouped by kind and creation site: `2 × TCP socket  created at src/a.ts:8:3  (first description)`. */
function leakLines(leaks, root, paint) {
  const groups = new Map()
  for (const leak of leaks) {
    const key = `${leak.kind}\u0000${where(leak, root)}`
    const group = groups.get(key) ?? { leak, count: 0 }
    group.count++
    groups.set(key, group)
  }
  return [...groups.values()].map(({ leak, count }) => {
    const more = count > 1 ? ` (and ${count - 1} more)` : ''
    return `        ${paint.bold(`${count} × ${leak.kind}`)}  ${where(leak, root)}  ${paint.dim(shorten(leak.description, MAX_DESCRIPTION) + more)}`
  })
}

/** A growth verdict's first line: what grew and the limit (its list of tests is in the summary already). */
function verdictLine(text) {
  return text.split('\n')[0]
}

function leaksSection(report, paint) {
  const lines = []
  let listed = 0
  let unlisted = 0
  for (const file of report.files) {
    const entries = []
    if (file.leaks.length > 0) {
      const mark = file.failedByLeaks ? paint.red('✗') : paint.yellow('⚠')
      const how = file.failedByLeaks ? 'the file failed' : "warn-only (onLeak: 'warn'): the file passed"
      entries.push(`    ${mark} file scope (module level, beforeAll, closed servers kept reachable)  ${paint.dim(`${plural(file.leaks.length, 'leak')}; ${how}`)}`)
      entries.push(...leakLines(file.leaks, report.root, paint))
    }
    for (const test of file.tests) {
      if (test.leaks.length === 0 && !test.failedByLeaks) continue
      if (listed >= MAX_TESTS_LISTED) {
        unlisted++
        continue
      }
      listed++
      const mark = test.failedByLeaks ? paint.red('✗') : paint.yellow('⚠')
      const how = test.failedByLeaks ? 'failed' : test.warned ? "warn-only (onLeak: 'warn'): passed" : test.state
      const count = test.leaks.length > 0 ? `${plural(test.leaks.length, 'leak')}; ` : ''
      entries.push(`    ${mark} ${test.name}  ${paint.dim(`${count}${how}`)}`)
      entries.push(...leakLines(test.leaks, report.root, paint))
    }
    if (entries.length > 0) lines.push(`  ${paint.bold(file.file)}${file.project ? paint.dim(` [${file.project}]`) : ''}`, ...entries)
  }
  if (unlisted > 0) lines.push(`  … and ${plural(unlisted, 'more test')} with leaks: see the JSON report`)
  return lines.length > 0 ? ['', paint.bold(' Leaks by file and test'), ...lines] : []
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
      lines.push(`    ${formatBytes(slopeBytesPerTest).padStart(9)} per test  ${file.file}  ${paint.dim(`(${samples} samples, R² ${r2.toFixed(2)})`)}`)
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
    lines.push(`  suite: heap after GC grew ${formatBytes(suite.slopeBytesPerTest)} per test within its files ${paint.dim(fit)}`)
  }
  return lines.length > 0 ? ['', paint.bold(' Heap growth'), ...lines] : []
}

function warningsSection(report, paint) {
  const warnings = report.files.flatMap((file) => [...file.warnings, ...file.tests.flatMap((test) => test.warnings)])
  return warnings.length > 0 ? ['', paint.bold(' Warnings'), ...warnings.map((warning) => `  ${paint.yellow('⚠')} ${warning}`)] : []
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
    const leakers = [totals.testsWarned > 0 && plural(totals.testsWarned, 'test'), totals.filesWarned > 0 && plural(totals.filesWarned, 'file')]
    parts.push(paint.yellow(`${leakers.filter(Boolean).join(' and ')} leaked in warn-only mode (onLeak: 'warn'): passed, exit code unchanged`))
  }
  const growing = [totals.filesWithHeapWarning > 0 && plural(totals.filesWithHeapWarning, 'file'), suite.warning && 'the suite'].filter(Boolean)
  if (growing.length > 0) parts.push(paint.yellow(`heap after GC grows steadily in ${growing.join(' and ')}`))
  if (parts.length === 0) {
    const checked = report.files.flatMap((file) => file.tests).filter((test) => test.state !== 'skip' && !test.allowed).length
    const unchecked = totals.tests - checked
    parts.push(paint.green(`no leaks in ${plural(checked, 'test')} checked`) + (unchecked > 0 ? paint.yellow(` (${unchecked} not checked)`) : ''))
  }
  const warned = totals.testsWarned + totals.filesWarned > 0 || growing.length > 0
  const badge = failed.length > 0 || suite.error ? paint.inverseRed(' leakwatch ') : warned ? paint.inverseYellow(' leakwatch ') : paint.bold(' leakwatch ')
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
    `heap: ${totals.filesOverHeapLimit} over a limit, ${plural(totals.filesWithHeapWarning, 'warning')}`
  )
}

/** The summary's last line: the report files written, or nothing when none was. */
export function formatWritten(written) {
  return written.length > 0 ? `  Reports: ${written.join(', ')}\n` : ''
}

/**
 * @param {object} report a leakwatch report (see report.js)
 * @param {{ color?: boolean, written?: string[] }} [options] `written`: the report files written, to name them
 */
export function formatSummary(report, { color = false, written = [] } = {}) {
  const paint = painter(color)
  const lines = ['', headline(report, paint), ...leaksSection(report, paint), ...heapSection(report, paint), ...warningsSection(report, paint), '', totalsLine(report)]
  return `${lines.join('\n')}\n${formatWritten(written)}`
}
