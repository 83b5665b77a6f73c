// What a file whose retention check fails costs: vitest on bench/retention/suite (one file of 10 tests, each keeping
// the server it closed), plain and with leakwatch, on each Node line, with the worker's heap at two sizes. leakwatch
// fails the file: one full GC, then one heap snapshot streamed into the Rust analyser for the retainer path. The
// difference in wall time is what the check costs. Usage (from the repo root):
//   node bench/retention/run.mjs [--rounds N] [--nodes 20,24] [--ballast 0,100]   (npm run bench:retention)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { measure } from '../handles/measure.mjs'
import { median } from '../handles/report.mjs'
import { DEFAULT_LINES, nodeLines } from '../node-lines.mjs'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const CONFIG = path.join(ROOT, 'bench/retention/vitest.config.mjs')
const VITEST = path.join(ROOT, 'node_modules/vitest/vitest.mjs')
// LEAKWATCH_BENCH_SETUP: another build's setup file, to compare builds (as in bench/handles).
const LEAKWATCH = process.env.LEAKWATCH_BENCH_SETUP ?? path.join(ROOT, 'js/vitest/index.js')
const REPORTED = /servers and sockets the tests closed are still reachable after GC/

function fail(message, output) {
  if (output) process.stderr.write(`${output}\n`)
  console.error(`bench/retention: ${message}`)
  process.exit(1)
}

const { values: args } = parseArgs({
  options: { rounds: { type: 'string' }, nodes: { type: 'string' }, ballast: { type: 'string' } },
})
const rounds = Number(args.rounds ?? 3)
if (!Number.isInteger(rounds) || rounds < 1) fail(`--rounds must be an integer >= 1, got ${args.rounds}`)
const ballasts = (args.ballast ?? '0,100').split(',').map(Number)
if (ballasts.some((mb) => !Number.isInteger(mb) || mb < 0)) fail(`--ballast takes megabytes, e.g. 0,100`)
let lines
try {
  lines = nodeLines(args.nodes?.split(',') ?? DEFAULT_LINES)
} catch (error) {
  fail(error.message)
}

const logDir = mkdtempSync(path.join(os.tmpdir(), 'leakwatch-bench-retention-'))
process.on('exit', () => rmSync(logDir, { recursive: true, force: true }))

async function runOnce(node, ballastMb, withLeakwatch) {
  const env = { ...process.env, NO_COLOR: '1', BENCH_BALLAST_MB: String(ballastMb) }
  delete env.FORCE_COLOR
  if (withLeakwatch) env.BENCH_LEAKWATCH = LEAKWATCH
  else delete env.BENCH_LEAKWATCH
  const r = await measure([node.bin, VITEST, 'run', '--config', CONFIG], {
    cwd: ROOT,
    env,
    logFile: path.join(logDir, 'run.log'),
  })
  const where = `${withLeakwatch ? 'leakwatch' : 'plain vitest'} on node ${node.version}, ballast ${ballastMb} MB`
  // The check must have run and found the leak: a leakwatch run that passes measured nothing.
  if (withLeakwatch && (r.exitCode === 0 || !REPORTED.test(r.output))) fail(`${where} did not fail the file`, r.output)
  if (!withLeakwatch && r.exitCode !== 0) fail(`${where} exited with ${r.exitCode}`, r.output)
  const heapMb = Number(/BENCH_HEAP_MB (\d+)/.exec(r.output)?.[1])
  return { wallS: r.wallS, cpuS: r.cpuS, heapMb }
}

const runs = []
for (let round = 1; round <= rounds; round++) {
  for (const node of round % 2 === 1 ? lines : [...lines].reverse()) {
    for (const ballastMb of ballasts) {
      for (const withLeakwatch of round % 2 === 1 ? [false, true] : [true, false]) {
        const r = await runOnce(node, ballastMb, withLeakwatch)
        const config = withLeakwatch ? 'leakwatch' : 'plain'
        console.log(
          `round ${round}/${rounds} node ${node.line} ballast ${ballastMb} MB ${config}: wall ${r.wallS.toFixed(2)} s`,
        )
        runs.push({ round, line: node.line, ballastMb, config, ...r })
      }
    }
  }
}

const out = [
  '',
  `a failing file: 10 tests, each keeping the server it closed; ${rounds} rounds, medians; extra = leakwatch - plain`,
]
const widths = [24, 9, 14, 14, 10, 12]
const row = (cells) =>
  cells
    .map((cell, i) => String(cell).padEnd(widths[i]))
    .join('  ')
    .trimEnd()
out.push(row(['node', 'heap MB', 'plain wall s', 'leakwatch s', 'extra s', 'extra CPU s']))
const summary = []
for (const node of lines) {
  for (const ballastMb of ballasts) {
    const mine = (config) =>
      runs.filter((r) => r.line === node.line && r.ballastMb === ballastMb && r.config === config)
    const plain = mine('plain')
    const leakwatch = mine('leakwatch')
    const entry = {
      node: node.version,
      ballastMb,
      heapMb: median(leakwatch.map((r) => r.heapMb)),
      plainWallS: median(plain.map((r) => r.wallS)),
      leakwatchWallS: median(leakwatch.map((r) => r.wallS)),
      extraCpuS: median(leakwatch.map((r) => r.cpuS)) - median(plain.map((r) => r.cpuS)),
    }
    entry.extraWallS = entry.leakwatchWallS - entry.plainWallS
    summary.push(entry)
    out.push(
      row([
        node.version,
        entry.heapMb,
        entry.plainWallS.toFixed(2),
        entry.leakwatchWallS.toFixed(2),
        entry.extraWallS.toFixed(2),
        entry.extraCpuS.toFixed(2),
      ]),
    )
  }
}
console.log(out.join('\n'))

const resultsDir = path.join(ROOT, 'bench/results')
mkdirSync(resultsDir, { recursive: true })
const file = path.join(resultsDir, `retention-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), rounds, summary, runs }, null, 2)}\n`)
console.log(`\nresults: ${path.relative(ROOT, file)}`)
