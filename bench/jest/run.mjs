// leakwatch/jest beside jest's own --detectOpenHandles on one suite (bench/jest/suite: 320 handle-heavy clean tests
// in 8 files, and 7 planted leaks: a server, a client socket, an interval, a timeout, a child process, a SIGTERM
// handler on process, a server made at module level). Three configs in interleaved rounds: plain jest, jest with
// leakwatch/jest, jest --detectOpenHandles. Prints the median wall and CPU time and their ratios, and which planted
// leak each one reported, and where. Usage (from the repo root):
//   node bench/jest/run.mjs [--rounds N] [--warmup N]        (npm run bench:jest)
//
// Every config runs --runInBand: --detectOpenHandles forces it, and on a 2-core machine jest runs in band anyway
// (one worker). --forceExit: the planted leaks would keep jest from exiting.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { measure } from '../handles/measure.mjs'
import { median } from '../handles/report.mjs'

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SUITE = path.join(REPO_ROOT, 'bench', 'jest', 'suite')
const JEST = path.join(REPO_ROOT, 'node_modules', 'jest', 'bin', 'jest.js')
const LEAKWATCH_SETUP = path.join(REPO_ROOT, 'js', 'jest', 'index.cjs')

/** The planted leaks: the file, the marker comment on the creating line, the test (null: the file's module level). */
const PLANTED = [
  {
    file: 'server.test.js',
    marker: '// leak:server',
    test: 'planted: a listening server left open',
    what: 'TCP server',
  },
  {
    file: 'client-socket.test.js',
    marker: '// leak:client-socket',
    test: 'planted: a client socket left connected',
    what: 'TCP client socket',
  },
  {
    file: 'interval.test.js',
    marker: '// leak:interval',
    test: 'planted: an interval never cleared',
    what: 'Interval',
  },
  { file: 'timeout.test.js', marker: '// leak:timeout', test: 'planted: a timeout never cleared', what: 'Timeout' },
  {
    file: 'child-process.test.js',
    marker: '// leak:child-process',
    test: 'planted: a child process never stopped',
    what: 'Child process',
  },
  {
    file: 'listener.test.js',
    marker: '// leak:listener',
    test: 'planted: a SIGTERM handler left on process',
    what: 'SIGTERM listener on process',
  },
  { file: 'module-level.test.js', marker: '// leak:module-level', test: null, what: 'TCP server at module level' },
].map((leak) => ({ ...leak, line: lineOf(leak.file, leak.marker) }))

const CONFIGS = [
  { id: 'plain', label: 'plain jest', args: [] },
  { id: 'leakwatch', label: 'jest + leakwatch/jest', args: ['--setupFilesAfterEnv', LEAKWATCH_SETUP] },
  { id: 'detect', label: 'jest --detectOpenHandles', args: ['--detectOpenHandles'] },
]

function fail(message, output) {
  if (output) process.stderr.write(`${output}\n`)
  console.error(`bench/jest: ${message}`)
  process.exit(1)
}

function lineOf(file, marker) {
  const index = readFileSync(path.join(SUITE, file), 'utf8')
    .split('\n')
    .findIndex((line) => line.includes(marker))
  if (index < 0) throw new Error(`marker ${marker} not found in bench/jest/suite/${file}`)
  return index + 1
}

function count(name, value, min) {
  const number = Number(value)
  if (!Number.isInteger(number) || number < min) fail(`--${name} must be an integer >= ${min}, got ${value}`)
  return number
}

const plain = (text) => text.replace(/\u001b\[[0-9;]*m/g, '')
const at = (leak) => `${leak.file}:${leak.line}:`

/** What leakwatch reported, from jest's JSON: per planted leak, the test (or file) failed and the resource named. */
function leakwatchFindings(report) {
  const failures = []
  for (const file of report.testResults) {
    const name = path.basename(file.name)
    for (const test of file.assertionResults) {
      if (test.status === 'failed')
        failures.push({ file: name, test: test.title, message: plain(test.failureMessages.join('\n')) })
    }
    if (plain(file.message).includes('LeakError: file'))
      failures.push({ file: name, test: null, message: plain(file.message) })
  }
  const findings = PLANTED.map((leak) => {
    const failure = failures.find(
      (entry) => entry.file === leak.file && entry.test === leak.test && entry.message.includes(at(leak)),
    )
    if (!failure) return { reported: false }
    const resource = /● (.+?)  \(/.exec(failure.message)?.[1]
    const who = leak.test === null ? `file ${leak.file} failed` : `test "${leak.test}" failed`
    return {
      reported: true,
      text: `${who}: ${resource.replace(/\d+\.\d+\.\d+\.\d+:\d+/g, '…').replace(/pid \d+/, 'pid …')}`,
    }
  })
  const unexpected = failures.filter(
    (entry) => !PLANTED.some((leak) => entry.file === leak.file && entry.test === leak.test),
  )
  return { findings, unexpected }
}

/** What --detectOpenHandles printed: its handle blocks, matched to planted leaks by the creating line in their stack. */
function detectFindings(output) {
  const start = output.search(/Jest has detected the following \d+ open handles?/)
  const blocks =
    start < 0
      ? []
      : output
          .slice(start)
          .split(/^\s*●\s+/m)
          .slice(1)
  const handles = blocks.map((block) => ({ type: block.split('\n')[0].trim(), text: block }))
  const findings = PLANTED.map((leak) => {
    const types = handles.filter((handle) => handle.text.includes(`(${at(leak)}`)).map((handle) => handle.type)
    return types.length === 0
      ? { reported: false }
      : { reported: true, text: `${types.join(' + ')} at ${leak.file}:${leak.line} (no test named)` }
  })
  const unexpected = handles.filter((handle) => !PLANTED.some((leak) => handle.text.includes(`(${at(leak)}`)))
  return { findings, unexpected, count: handles.length }
}

let args
try {
  ;({ values: args } = parseArgs({ options: { rounds: { type: 'string' }, warmup: { type: 'string' } } }))
} catch (error) {
  fail(`${error.message}\nusage: node bench/jest/run.mjs [--rounds N] [--warmup N]`)
}
const rounds = count('rounds', args.rounds ?? process.env.BENCH_ROUNDS ?? 3, 1)
const warmup = count('warmup', args.warmup ?? 1, 0)

const workDir = mkdtempSync(path.join(os.tmpdir(), 'leakwatch-bench-jest-'))
process.on('exit', () => rmSync(workDir, { recursive: true, force: true }))
const env = { ...process.env, CI: 'true', NO_COLOR: '1' }
delete env.FORCE_COLOR

async function runOnce(config) {
  const reportFile = path.join(workDir, `${config.id}.json`)
  const argv = [process.execPath, JEST, '--config', path.join(SUITE, 'jest.config.cjs'), '--rootDir', SUITE]
  argv.push('--runInBand', '--forceExit', '--ci', '--json', `--outputFile=${reportFile}`, ...config.args)
  const result = await measure(argv, { cwd: REPO_ROOT, env, logFile: path.join(workDir, 'run.log') })
  let report
  try {
    report = JSON.parse(readFileSync(reportFile, 'utf8'))
  } catch (error) {
    fail(`${config.label} wrote no JSON report (exit ${result.exitCode}): ${error.message}`, result.output)
  }
  const tests = report.numTotalTests
  const failedTests = report.numFailedTests
  // Plain jest and --detectOpenHandles pass every test (they fail none for a leak); leakwatch fails the six planted
  // tests and the module-level file. Anything else is a broken run, not a measurement.
  const wanted = config.id === 'leakwatch' ? PLANTED.filter((leak) => leak.test !== null).length : 0
  if (tests !== 326 || failedTests !== wanted) {
    fail(`${config.label}: ${failedTests} of ${tests} tests failed, expected ${wanted} of 326`, result.output)
  }
  return { ...result, report }
}

const machine = {
  nproc: os.availableParallelism(),
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  node: process.version,
  jest: JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', 'jest', 'package.json'), 'utf8')).version,
}

for (let round = 0; round < warmup; round++) {
  for (const config of CONFIGS) {
    process.stdout.write(`warm-up ${config.id}... `)
    console.log(`${(await runOnce(config)).wallS.toFixed(2)} s`)
  }
}

const runs = []
let found
for (let round = 1; round <= rounds; round++) {
  // The order rotates each round: no config always runs first or after the same neighbour.
  const order = CONFIGS.map((_, index) => CONFIGS[(index + round - 1) % CONFIGS.length])
  for (const config of order) {
    process.stdout.write(`round ${round}/${rounds} ${config.id}... `)
    const result = await runOnce(config)
    console.log(`wall ${result.wallS.toFixed(2)} s, CPU ${result.cpuS.toFixed(2)} s`)
    runs.push({
      round,
      config: config.id,
      wallS: result.wallS,
      cpuS: result.cpuS,
      userS: result.userS,
      sysS: result.sysS,
    })
    if (config.id === 'leakwatch') found = { ...found, leakwatch: leakwatchFindings(result.report) }
    if (config.id === 'detect') found = { ...found, detect: detectFindings(plain(result.output)) }
  }
}

const summary = {}
for (const config of CONFIGS) {
  const mine = runs.filter((run) => run.config === config.id)
  summary[config.id] = {
    wallS: median(mine.map((run) => run.wallS)),
    cpuS: median(mine.map((run) => run.cpuS)),
    userS: median(mine.map((run) => run.userS)),
  }
}
for (const figures of Object.values(summary)) {
  figures.wallRatio = figures.wallS / summary.plain.wallS
  figures.cpuRatio = figures.cpuS / summary.plain.cpuS
  figures.userRatio = figures.userS / summary.plain.userS
}

const pad = (cells, widths) =>
  cells
    .map((cell, index) => String(cell).padEnd(widths[index]))
    .join('  ')
    .trimEnd()
const f2 = (number) => number.toFixed(2)
const lines = [
  '',
  `machine: ${machine.nproc} CPUs (${machine.cpuModel}), Node ${machine.node}, jest ${machine.jest}`,
  `suite: 326 tests in 8 files (7 planted leaks); ${rounds} interleaved rounds, medians; CPU = user+sys`,
  '',
  pad(['config', 'wall s', 'CPU s', 'wall/plain', 'CPU/plain', 'user/plain'], [26, 7, 6, 10, 9, 10]),
]
for (const config of CONFIGS) {
  const s = summary[config.id]
  lines.push(
    pad(
      [config.label, f2(s.wallS), f2(s.cpuS), f2(s.wallRatio), f2(s.cpuRatio), f2(s.userRatio)],
      [26, 7, 6, 10, 9, 10],
    ),
  )
}
lines.push(
  '',
  `--detectOpenHandles / leakwatch: wall ${f2(summary.detect.wallS / summary.leakwatch.wallS)}, CPU ${f2(summary.detect.cpuS / summary.leakwatch.cpuS)}`,
  '',
  'what each reported, per planted leak:',
)
PLANTED.forEach((leak, index) => {
  const mark = (finding) => (finding.reported ? finding.text : 'NOT REPORTED')
  lines.push(`  ${leak.what} (${leak.file}:${leak.line})`)
  lines.push(`    leakwatch/jest       ${mark(found.leakwatch.findings[index])}`)
  lines.push(`    --detectOpenHandles  ${mark(found.detect.findings[index])}`)
})
const caught = (findings) => findings.filter((finding) => finding.reported).length
lines.push(
  '',
  `leakwatch/jest: ${caught(found.leakwatch.findings)} of ${PLANTED.length} planted leaks, each failing the test (or file) that made it; other failures: ${found.leakwatch.unexpected.length}`,
  `--detectOpenHandles: ${caught(found.detect.findings)} of ${PLANTED.length}, in ${found.detect.count} handle reports after the run, no test failed; other handles: ${found.detect.unexpected.length}`,
)
console.log(lines.join('\n'))

const resultsDir = path.join(REPO_ROOT, 'bench', 'results')
mkdirSync(resultsDir, { recursive: true })
const resultsFile = path.join(resultsDir, `jest-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
const planted = PLANTED.map((leak, index) => ({
  ...leak,
  leakwatch: found.leakwatch.findings[index],
  detectOpenHandles: found.detect.findings[index],
}))
writeFileSync(
  resultsFile,
  `${JSON.stringify({ date: new Date().toISOString(), machine, rounds, warmup, summary, runs, planted }, null, 2)}\n`,
)
console.log(`\nresults: ${path.relative(REPO_ROOT, resultsFile)}`)
