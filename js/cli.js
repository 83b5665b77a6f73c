#!/usr/bin/env node
// leakwatch's command line: the heap analyser for snapshots from anywhere (DESIGN §6), and the merge of reports.
// The commands, their options and exit codes are in cli/usage.js, which `--help` prints.
// The file is streamed into the native parser in chunks, so a snapshot larger than a JS string can hold works, and
// progress goes to stderr.

import { closeSync, openSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { usage } from './cli/usage.js'
import { formatAnalysis, formatBytes, formatDiff } from './heap/format.js'
import { formatObjectView, objectView } from './heap/object-view.js'
import { loadNative } from './native.js'
import { mergeReports, parseReport, ReportInputError } from './reporter/merge.js'
import { leakwatchFailed } from './reporter/report.js'
import { formatSummary, formatWritten, wantsColor } from './reporter/summary.js'
import { displayPath, writeReportFiles } from './reporter/write.js'

const PROGRESS_FROM_BYTES = 64 << 20
const PROGRESS_EVERY_MS = 500

/** References listed for an object asked for by --id: a few, those retaining the most. */
const OBJECT_REFERENCES = 10

/** Bad arguments: said in a line, with the help that lists what the command takes. */
class UsageError extends Error {
  /** @param {string} message @param {string} [command] */
  constructor(message, command) {
    super(message)
    this.command = command
  }
}

/**
 * `parseArgs` for `command`; its errors become usage errors. Node's text for an unknown option suggests `--` with an
 * unbalanced quote, and leakwatch takes no positional that starts with a dash: the option is named instead.
 */
function parseCommandArgs(command, args, options) {
  try {
    return parseArgs({ args, allowPositionals: true, options })
  } catch (error) {
    const unknown = error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && /^Unknown option '([^']+)'/.exec(error.message)
    throw new UsageError(unknown ? `${command} has no option ${unknown[1]}` : error.message, command)
  }
}

function positiveInteger(value, flag, command) {
  if (value === undefined) return undefined
  const number = Number(value)
  if (value.trim() === '' || !Number.isSafeInteger(number) || number < 0) {
    throw new UsageError(`${flag} wants a whole number, not "${value}"`, command)
  }
  return number
}

/** Checks that `path` is a readable file before any work, so the error names it in a user's words. */
function checkReadable(path, command) {
  let stats
  try {
    stats = statSync(path)
    closeSync(openSync(path, 'r'))
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`, command)
  }
  if (!stats.isFile()) throw new UsageError(`cannot read ${path}: not a file`, command)
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
  const { values, positionals } = parseCommandArgs('merge', args, {
    output: { type: 'string', short: 'o' },
    html: { type: 'string' },
  })
  if (positionals.length === 0)
    throw new UsageError('merge wants one or more report files (leakwatch-report.json from each shard)', 'merge')
  for (const [flag, value] of [
    ['-o', values.output],
    ['--html', values.html],
  ]) {
    if (value !== undefined && value.trim() === '') throw new UsageError(`${flag} wants a file path`, 'merge')
  }
  const inputs = positionals.map((file) => {
    checkReadable(file, 'merge')
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
  process.stdout.write(
    `leakwatch: merged ${inputs.length} report${inputs.length === 1 ? '' : 's'} (${tests} tests in ${files} files)\n`,
  )
  if (errors.length > 0) throw new Error(errors.join('; '))
  if (leakwatchFailed(report)) process.exitCode = 1
}

const HELP_FLAGS = ['--help', '-h']
const VERSION_FLAGS = ['--version', '-v', 'version']

/** `leakwatch <version>`, from the package this CLI belongs to. */
function versionText() {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  return `leakwatch ${version}`
}

/** Reads the snapshot, analyses it, prints the result; with --id, the objects alone. */
async function analyze(args) {
  const { values, positionals } = parseCommandArgs('analyze', args, {
    find: { type: 'string', multiple: true },
    id: { type: 'string', multiple: true },
    top: { type: 'string' },
    paths: { type: 'string' },
    json: { type: 'boolean' },
  })
  if (positionals.length !== 1) throw new UsageError('analyze wants exactly one snapshot file', 'analyze')
  const ids = (values.id ?? []).map((id) => positiveInteger(id.replace(/^@/, ''), '--id', 'analyze'))
  const byId = ids.length > 0
  if (byId && (values.find || values.top || values.paths)) {
    throw new UsageError(
      '--id shows one object; --find, --paths and --top are for the summary by constructor: ask one or the other',
      'analyze',
    )
  }
  const top = positiveInteger(values.top, '--top', 'analyze')
  const maxPaths = positiveInteger(values.paths, '--paths', 'analyze')
  const [file] = positionals
  const size = checkReadable(file, 'analyze')
  const native = await loadNative()
  // A process of its own: the allocator may be tuned for big arrays (never done inside a test run).
  native.tuneAllocatorForLargeSnapshots()
  const options = byId
    ? { ids, top: 0, maxPaths: 1, maxReferences: OBJECT_REFERENCES }
    : { find: values.find ?? [], top: top ?? 20, maxPaths: maxPaths ?? 3 }
  const analysis = analyzeFile(native, file, size, options)
  if (byId) {
    const objects = analysis.matches.map(objectView)
    const json = () => JSON.stringify(objects.length === 1 ? objects[0] : objects, null, 2)
    const text = () =>
      analysis.matches.map((match, index) => formatObjectView(match.query, objects[index], native)).join('\n\n')
    process.stdout.write(`${values.json ? json() : text()}\n`)
  } else {
    process.stdout.write(
      values.json ? `${JSON.stringify(analysis, null, 2)}\n` : `${formatAnalysis(analysis, file, native)}\n`,
    )
  }
  // A script that asks for an object wants to know it is not there, not read it in the output.
  const unmatched = analysis.matches.filter((match) => match.count === 0).map((match) => match.query)
  if (unmatched.length > 0) {
    process.stderr.write(`leakwatch: nothing in ${file} matched ${unmatched.join(', ')}\n`)
    process.exitCode = 1
  }
}

async function diff(args) {
  const { values, positionals } = parseCommandArgs('diff', args, {
    top: { type: 'string' },
    json: { type: 'boolean' },
  })
  if (positionals.length !== 2) throw new UsageError('diff wants two snapshot files: <before> <after>', 'diff')
  const top = positiveInteger(values.top, '--top', 'diff')
  const [before, after] = positionals
  checkReadable(before, 'diff')
  checkReadable(after, 'diff')
  const native = await loadNative()
  native.tuneAllocatorForLargeSnapshots()
  const result = JSON.parse(native.diffHeapSnapshotFiles(before, after))
  result.grown = result.grown.slice(0, top ?? 30)
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatDiff(result, before, after)}\n`)
}

const COMMANDS = { analyze, diff, merge }

async function main(argv) {
  const [command, ...rest] = argv
  if (command === undefined) throw new UsageError('which command? analyze, diff or merge')
  if (VERSION_FLAGS.includes(command)) {
    process.stdout.write(`${versionText()}\n`)
    return
  }
  // Asked for anywhere (`leakwatch analyze --help`, `leakwatch help analyze`), help is an answer, not a usage error.
  if (command === 'help' || argv.some((arg) => HELP_FLAGS.includes(arg))) {
    const about = command === 'help' ? rest[0] : command
    if (about !== undefined && !Object.hasOwn(COMMANDS, about) && !HELP_FLAGS.includes(about)) {
      throw new UsageError(`unknown command "${about}"`)
    }
    process.stdout.write(`${usage(about)}\n`)
    return
  }
  if (!Object.hasOwn(COMMANDS, command)) throw new UsageError(`unknown command "${command}"`)
  return COMMANDS[command](rest)
}

// Output piped into a command that stops reading (`| head`) is not an error of ours. Any other (a full disk) is
// said in a line, not thrown from this listener as an uncaught exception with its stack.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit()
  process.stderr.write(`leakwatch: cannot write to stdout: ${error.message}\n`)
  process.exitCode = 1
})

main(process.argv.slice(2)).catch((error) => {
  if (error instanceof UsageError) {
    // The error and where to read more, not a screen of usage above or below it.
    const help = error.command ? `leakwatch ${error.command} --help` : 'leakwatch --help'
    process.stderr.write(`leakwatch: ${error.message}\nSee '${help}'.\n`)
    process.exitCode = 2
  } else if (error instanceof ReportInputError) {
    process.stderr.write(`leakwatch: ${error.message}\n`)
    process.exitCode = 2
  } else {
    process.stderr.write(`leakwatch: ${String(error.message ?? error).replace(/^leakwatch: /, '')}\n`)
    process.exitCode = 1
  }
})
