// Where leakwatch's time goes in a node:test suite: each test file run on its own, plain and with leakwatch at its
// defaults, one after the other (the order alternating from file to file and round to round, so the machine's noise
// hits both modes), then the files by the seconds leakwatch added, with the ratio and the failures it added.
// A suite prepared by bench:suites (run.mjs) is reused as it is; this worktree's leakwatch is copied in first.
// Usage (from the repo root):
//
//   node bench/suites/per-file.mjs <suite dir> [--suite <name>] [--rounds N] [--filter <regexp>] [--top N]
//     [--host-network]
//
// `<suite dir>` is the tree bench:suites extracted, e.g. /tmp/leakwatch-bench-suites/fastify-4682a78381fc; the
// suite's name (for its files and Node's arguments in suites.mjs) is read from the folder's name unless --suite
// gives it. Each file runs as bench:suites runs the suite, `node --test` with the suite's Node arguments, but alone.
// The environment reaches both runs (e.g. LEAKWATCH_PROFILE=1), and the JSON result goes to bench/results/.

import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { runNodeTest } from '../../__test__/helpers/run-node-test.mjs'
import { installLeakwatch, loopbackOnlyLauncher, suiteEnv } from './prepare.mjs'
import { nodeTestFiles } from './run-suite.mjs'
import { SUITES } from './suites.mjs'

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const USAGE =
  'usage: node bench/suites/per-file.mjs <suite dir> [--suite <name>] [--rounds N] [--filter <regexp>] [--top N] [--host-network]'
const FILE_TIMEOUT_MS = 5 * 60_000

function fail(message) {
  console.error(`bench/suites/per-file: ${message}`)
  process.exit(1)
}

let args
let positionals
try {
  ;({ values: args, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      suite: { type: 'string' },
      rounds: { type: 'string', default: '1' },
      filter: { type: 'string' },
      top: { type: 'string', default: '25' },
      'host-network': { type: 'boolean', default: false },
    },
  }))
} catch (error) {
  fail(`${error.message}\n${USAGE}`)
}
if (positionals.length !== 1) fail(`name one suite dir.\n${USAGE}`)
const dir = path.resolve(positionals[0])
const name = args.suite ?? /^(.+)-[0-9a-f]{12}$/.exec(path.basename(dir))?.[1]
if (!name) fail(`cannot tell the suite from the folder ${path.basename(dir)}: pass --suite <name>`)
const spec = SUITES[name]
if (!spec) fail(`unknown suite ${name}: suites.mjs has ${Object.keys(SUITES).join(', ')}`)
if (spec.runner !== 'node-test') fail(`${name} runs under ${spec.runner}: this tool times node:test files`)
const rounds = Number(args.rounds)
const top = Number(args.top)
if (!Number.isInteger(rounds) || rounds < 1) fail(`--rounds must be an integer >= 1, got ${args.rounds}`)
if (!Number.isInteger(top) || top < 1) fail(`--top must be an integer >= 1, got ${args.top}`)
let filter = null
try {
  filter = args.filter ? new RegExp(args.filter) : null
} catch (error) {
  fail(`--filter: ${error.message}`)
}

let files
try {
  files = nodeTestFiles(spec, dir).filter((file) => filter === null || filter.test(file))
} catch (error) {
  fail(`${dir} does not hold ${name}'s test files (${error.message}): prepare it with npm run bench:suites first`)
}
if (files.length === 0) fail(`no test file of ${name} in ${dir}${filter ? ` matches ${filter}` : ''}`)

const launcher = args['host-network'] ? [] : loopbackOnlyLauncher()
if (launcher === null)
  fail(
    "cannot make a network namespace (unshare --net, then ip link set lo up): pass --host-network to run on this machine's network",
  )

installLeakwatch(dir)

/** One run of one file: its wall time, its results and failures. */
async function runFile(file, mode) {
  const started = performance.now()
  const { exitCode, killed, tests } = await runNodeTest(dir, [file], {
    importFlag: mode === 'leakwatch',
    args: ['--test-concurrency=1', ...spec.nodeArgs],
    env: suiteEnv(),
    timeoutMs: FILE_TIMEOUT_MS,
    launcher,
  })
  const wallS = (performance.now() - started) / 1000
  const failed = [...tests.entries()]
    .filter(([, event]) => event.type === 'test:fail' && event.error?.failureType !== 'subtestsFailed')
    .map(([key]) => key)
  return { wallS, exitCode, killed, results: tests.size, failed }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

console.log(`${name}: ${files.length} files in ${dir}, ${rounds} round(s), each file plain and with leakwatch`)
const runs = new Map(files.map((file) => [file, { plain: [], leakwatch: [] }]))
let turn = 0
for (let round = 1; round <= rounds; round++) {
  for (const [index, file] of files.entries()) {
    const order = turn++ % 2 === 0 ? ['plain', 'leakwatch'] : ['leakwatch', 'plain']
    const line = [`  ${round}/${rounds} ${index + 1}/${files.length} ${file}`]
    for (const mode of order) {
      const run = await runFile(file, mode)
      runs.get(file)[mode].push(run)
      line.push(`${mode} ${run.wallS.toFixed(2)} s${run.killed ? ' (killed)' : ''}`)
    }
    console.log(line.join('  '))
  }
}

const rows = files.map((file) => {
  const { plain, leakwatch } = runs.get(file)
  const plainS = median(plain.map((run) => run.wallS))
  const leakwatchS = median(leakwatch.map((run) => run.wallS))
  const plainFailed = new Set(plain.flatMap((run) => run.failed))
  const added = [...new Set(leakwatch.flatMap((run) => run.failed))].filter((key) => !plainFailed.has(key))
  return {
    file,
    results: leakwatch.at(-1).results,
    plainS,
    leakwatchS,
    addedS: leakwatchS - plainS,
    ratio: leakwatchS / plainS,
    addedFailures: added,
  }
})
rows.sort((a, b) => b.addedS - a.addedS)

const total = (key) => rows.reduce((sum, row) => sum + row[key], 0)
const [plainTotal, leakwatchTotal] = [total('plainS'), total('leakwatchS')]
console.log(
  `\n${name}: ${files.length} files, plain ${plainTotal.toFixed(1)} s, leakwatch ${leakwatchTotal.toFixed(1)} s, ` +
    `+${(leakwatchTotal - plainTotal).toFixed(1)} s, ${(leakwatchTotal / plainTotal).toFixed(2)}x ` +
    `(sums of per-file medians; each file's run includes starting Node twice)`,
)
console.log(`\n  added s   ratio   plain s  leakwatch s  results  file`)
for (const row of rows.slice(0, top)) {
  const failures = row.addedFailures.length > 0 ? `  (${row.addedFailures.length} failures added)` : ''
  console.log(
    `  ${row.addedS.toFixed(2).padStart(7)}  ${row.ratio.toFixed(2).padStart(5)}x  ${row.plainS.toFixed(2).padStart(7)}  ` +
      `${row.leakwatchS.toFixed(2).padStart(11)}  ${String(row.results).padStart(7)}  ${row.file}${failures}`,
  )
}
const addedBy = (share) => {
  let sum = 0
  const target = (leakwatchTotal - plainTotal) * share
  return rows.findIndex((row) => (sum += row.addedS) >= target) + 1
}
console.log(`\n  half the added time is in ${addedBy(0.5)} files, 80 % in ${addedBy(0.8)}`)

const stamp = new Date().toISOString().replace(/[:.]/g, '-')
const resultsDir = path.join(REPO_ROOT, 'bench', 'results')
mkdirSync(resultsDir, { recursive: true })
const resultsFile = path.join(resultsDir, `per-file-${name}-${stamp}.json`)
const report = {
  date: new Date().toISOString(),
  suite: name,
  dir,
  rounds,
  machine: { nproc: os.availableParallelism(), node: process.version },
  env: Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('LEAKWATCH_'))),
  files: rows,
}
writeFileSync(resultsFile, `${JSON.stringify(report, null, 2)}\n`)
console.log(`\nresults: ${path.relative(REPO_ROOT, resultsFile)}`)
