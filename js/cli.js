#!/usr/bin/env node
// leakwatch's command line: the heap analyser for snapshots from anywhere (DESIGN §6), and the merge of reports.
//   leakwatch analyze <file.heapsnapshot> [--find <Constructor>]... [--id <node id>]... [--top N] [--paths N] [--json]
//   leakwatch diff <before.heapsnapshot> <after.heapsnapshot> [--top N] [--json]
//   leakwatch merge <report.json>... [-o <out.json>] [--html <out.html>]
//   leakwatch --version; leakwatch [<command>] --help
// Exit codes: 0 done, 1 the analysis failed (a corrupt snapshot), an --id or --find matched nothing, or the merged
// report has what leakwatch fails a run for, 2 a usage error (bad arguments, an unreadable file, a file that is not a
// report).
// The file is streamed into the native parser in chunks, so a snapshot larger than a JS string can hold works, and
// progress goes to stderr.

import { closeSync, openSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { formatAnalysis, formatBytes, formatDiff } from './heap/format.js'
import { loadNative } from './native.js'
import { mergeReports, parseReport, ReportInputError } from './reporter/merge.js'
import { leakwatchFailed } from './reporter/report.js'
import { formatSummary, formatWritten, wantsColor } from './reporter/summary.js'
import { displayPath, writeReportFiles } from './reporter/write.js'

const USAGE = `Usage:
  leakwatch --version
  leakwatch [<command>] --help
  leakwatch analyze <file.heapsnapshot> [--find <Constructor>]... [--id <node id>]... [--top N] [--paths N] [--json]
      The biggest retained objects by constructor; with --find or --id, the shortest path from a GC root that
      keeps each matching object alive (the ones retaining the most, up to --paths, default 3). Exits 1 when an
      --id or --find matches nothing.
  leakwatch diff <before.heapsnapshot> <after.heapsnapshot> [--top N] [--json]
      The constructors whose count or size grew between two snapshots.
  leakwatch merge <report.json>... [-o <out.json>] [--html <out.html>]
      One report from the reports of several runs of parts of a suite (vitest --shard on several machines), with
      totals and heap growth as one run of the whole suite gives; prints its summary. -o defaults to
      leakwatch-report.json. Exits 1 when the merged report has tests or files failed by leaks, or the suite over
      maxHeapGrowthPerTest.`

const PROGRESS_FROM_BYTES = 64 << 20
const PROGRESS_EVERY_MS = 500

class UsageError extends Error {}

function fail(message, code) {
  process.stderr.write(`leakwatch: ${message}\n`)
  if (code === 2) process.stderr.write(`\n${USAGE}\n`)
  process.exitCode = code
}

function positiveInteger(value, flag) {
  if (value === undefined) return undefined
  const number = Number(value)
  if (!Number.isSafeInteger(number) || number < 0) throw new UsageError(`${flag} wants a whole number, not "${value}"`)
  return number
}

/** Checks that `path` is a readable file before any work, so the error names it in a user's words. */
function checkReadable(path) {
  let stats
  try {
    stats = statSync(path)
    closeSync(openSync(path, 'r'))
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`)
  }
  if (!stats.isFile()) throw new UsageError(`cannot read ${path}: not a file`)
  return stats.size
}

function progressReporter(path, total) {
  if (total < PROGRESS_FROM_BYTES) return { update() {}, done() {} }
  const tty = process.stderr.isTTY
  let last = 0
  const write = (read) => {
    const percent = ((read / total) * 100).toFixed(0).padStart(3)
    const text = `leakwatch: reading ${path}: ${formatBytes(read)} of ${formatBytes(total)} (${percent} %)`
    process.stderr.write(tty ? `\r${text}` : `${text}\n`)
  }
  return {
    update(read) {
      const now = Date.now()
      if (now - last < PROGRESS_EVERY_MS) return
      last = now
      write(read)
    },
    done() {
      write(total)
      process.stderr.write(tty ? '\nleakwatch: analysing...\n' : 'leakwatch: analysing...\n')
    },
  }
}

/** Streams the file through the native parser (which reads it, the next chunk while it parses the last) and analyses it. */
function analyzeFile(native, path, size, options) {
  // The size lets the parser check the header's counts before it allocates for them.
  const parser = new native.HeapSnapshotParser(path, size)
  const progress = progressReporter(path, size)
  parser.readFile(path, (read) => progress.update(read))
  progress.done()
  return JSON.parse(parser.finish(JSON.stringify(options)))
}

/** Reads and checks the reports, merges them, writes the result and prints its summary. */
async function merge(args) {
  let parsed
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { output: { type: 'string', short: 'o' }, html: { type: 'string' } },
    })
  } catch (error) {
    throw new UsageError(error.message)
  }
  const { values, positionals } = parsed
  if (positionals.length === 0) throw new UsageError('merge wants one or more report files (leakwatch-report.json from each shard)')
  for (const [flag, value] of [['-o', values.output], ['--html', values.html]]) {
    if (value !== undefined && value.trim() === '') throw new UsageError(`${flag} wants a file path`)
  }
  const inputs = positionals.map((file) => {
    checkReadable(file)
    return { name: file, report: parseReport(readFileSync(file, 'utf8'), file) }
  })
  const report = mergeReports(inputs)
  // Made before any file is written: whatever fails here leaves no half-written output behind.
  const summary = formatSummary(report, { color: wantsColor(process.stdout) })
  const output = path.resolve(values.output ?? 'leakwatch-report.json')
  const html = values.html === undefined ? false : path.resolve(values.html)
  const { written, errors } = writeReportFiles(report, { json: output, html })
  process.stdout.write(summary + formatWritten(written.map(displayPath)))
  const { files, tests } = report.totals
  process.stdout.write(`leakwatch: merged ${inputs.length} report${inputs.length === 1 ? '' : 's'} (${tests} tests in ${files} files)\n`)
  if (errors.length > 0) throw new Error(errors.join('; '))
  if (leakwatchFailed(report)) process.exitCode = 1
}

const HELP_FLAGS = ['--help', '-h']

/** `leakwatch <version>`, from the package this CLI belongs to. */
function versionText() {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  return `leakwatch ${version}`
}

async function main(argv) {
  const [command, ...rest] = argv
  if (command === '--version' || command === '-v' || command === 'version') {
    process.stdout.write(`${versionText()}\n`)
    return
  }
  // Asked for anywhere (`leakwatch analyze --help`), help is an answer, not a usage error.
  if (command === undefined || command === 'help' || argv.some((arg) => HELP_FLAGS.includes(arg))) {
    process.stdout.write(`${USAGE}\n`)
    if (command === undefined) process.exitCode = 2
    return
  }
  if (command === 'merge') return merge(rest)
  if (command !== 'analyze' && command !== 'diff') throw new UsageError(`unknown command "${command}"`)
  let parsed
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        find: { type: 'string', multiple: true },
        id: { type: 'string', multiple: true },
        top: { type: 'string' },
        paths: { type: 'string' },
        json: { type: 'boolean' },
      },
    })
  } catch (error) {
    throw new UsageError(error.message)
  }
  const { values, positionals } = parsed
  const top = positiveInteger(values.top, '--top')
  if (command === 'analyze') {
    if (positionals.length !== 1) throw new UsageError('analyze wants exactly one snapshot file')
    const ids = (values.id ?? []).map((id) => positiveInteger(id.replace(/^@/, ''), '--id'))
    const [file] = positionals
    const size = checkReadable(file)
    const native = await loadNative()
    // A process of its own: the allocator may be tuned for big arrays (never done inside a test run).
    native.tuneAllocatorForLargeSnapshots()
    const options = { find: values.find ?? [], ids, top: top ?? 20, maxPaths: positiveInteger(values.paths, '--paths') ?? 3 }
    const analysis = analyzeFile(native, file, size, options)
    process.stdout.write(values.json ? `${JSON.stringify(analysis, null, 2)}\n` : `${formatAnalysis(analysis, file)}\n`)
    // A script that asks for an object wants to know it is not there, not read it in the output.
    const unmatched = analysis.matches.filter((match) => match.count === 0).map((match) => match.query)
    if (unmatched.length > 0) {
      process.stderr.write(`leakwatch: nothing in ${file} matched ${unmatched.join(', ')}\n`)
      process.exitCode = 1
    }
    return
  }
  if (values.find || values.id || values.paths) throw new UsageError('diff takes no --find, --id or --paths')
  if (positionals.length !== 2) throw new UsageError('diff wants two snapshot files: <before> <after>')
  const [before, after] = positionals
  checkReadable(before)
  checkReadable(after)
  const native = await loadNative()
  native.tuneAllocatorForLargeSnapshots()
  const diff = JSON.parse(native.diffHeapSnapshotFiles(before, after))
  diff.grown = diff.grown.slice(0, top ?? 30)
  process.stdout.write(values.json ? `${JSON.stringify(diff, null, 2)}\n` : `${formatDiff(diff, before, after)}\n`)
}

// Output piped into a command that stops reading (`| head`) is not an error of ours. Any other (a full disk) is
// said in a line, not thrown from this listener as an uncaught exception with its stack.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit()
  process.stderr.write(`leakwatch: cannot write to stdout: ${error.message}\n`)
  process.exitCode = 1
})

main(process.argv.slice(2)).catch((error) => {
  if (error instanceof UsageError) fail(error.message, 2)
  else if (error instanceof ReportInputError) {
    process.stderr.write(`leakwatch: ${error.message}\n`)
    process.exitCode = 2
  }
  else fail(String(error.message ?? error).replace(/^leakwatch: /, ''), 1)
})
