// `npm run bench:heap`: leakwatch's heap analyser against memlab on one large snapshot, wall time and peak RSS.
//
// 1. Writes bench/results/heap/large.heapsnapshot (kept between runs; LEAKWATCH_BENCH_REGENERATE=1 rewrites it):
//    a Node process holding LEAKWATCH_BENCH_OBJECTS (default 4,000,000) small objects and one Target in a Map.
// 2. `leakwatch analyze --find Target` (parse, retainer path, dominators, summary), under /usr/bin/time, five
//    times (LEAKWATCH_BENCH_RUNS): the median time and the highest peak RSS.
// 3. memlab (pinned, installed with --no-save into bench/results/heap/memlab, Chrome download skipped): `memlab
//    trace --node-id <Target's id>`, which loads the snapshot with its shortest paths and dominators, then prints
//    the retainer trace: the same question. A JSON.parse baseline cannot run: a snapshot over ~512 MB is longer
//    than V8's maximum string length.
// Results: printed side by side, and written to bench/results/heap/results.json.

import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const MEMLAB_VERSION = '2.0.5'
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const OUT = path.join(ROOT, 'bench', 'results', 'heap')
const SNAPSHOT = path.join(OUT, 'large.heapsnapshot')
const MEMLAB_PREFIX = path.join(OUT, 'memlab')
const OBJECTS = Number(process.env.LEAKWATCH_BENCH_OBJECTS ?? 4_000_000)

mkdirSync(OUT, { recursive: true })

function log(text) {
  process.stderr.write(`bench:heap: ${text}\n`)
}

/** Runs a command under GNU time: wall seconds, peak RSS in bytes, and its output. */
function timed(command, args, options = {}) {
  const result = spawnSync('/usr/bin/time', ['-f', '%e %M', command, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    timeout: 30 * 60_000,
    ...options,
  })
  const lines = result.stderr.trimEnd().split('\n')
  const [seconds, kilobytes] = lines.at(-1).split(' ').map(Number)
  return {
    status: result.status,
    seconds,
    peakRss: kilobytes * 1024,
    stdout: result.stdout,
    stderr: lines.slice(0, -1).join('\n'),
  }
}

if (!existsSync(SNAPSHOT) || process.env.LEAKWATCH_BENCH_REGENERATE === '1') {
  log(`writing a snapshot of ${OBJECTS.toLocaleString('en-US')} objects (about a minute)...`)
  execFileSync(
    process.execPath,
    ['--max-old-space-size=12000', path.join(ROOT, 'bench', 'heap', 'make-snapshot.cjs'), SNAPSHOT, String(OBJECTS)],
    {
      stdio: 'inherit',
    },
  )
}
const fileSize = statSync(SNAPSHOT).size
log(`snapshot: ${SNAPSHOT} (${(fileSize / 1e6).toFixed(0)} MB)`)

// One untimed read warms the page cache, so both tools read from memory.
execFileSync('cat', [SNAPSHOT], { stdio: ['ignore', 'ignore', 'inherit'] })

// A run takes a second or two and the machine may be shared: several runs, the median time and the highest peak.
const RUNS = Math.max(1, Number(process.env.LEAKWATCH_BENCH_RUNS ?? 5))
const leakwatchRuns = []
for (let run = 1; run <= RUNS; run++) {
  log(`leakwatch analyze --find Target (run ${run}/${RUNS}) ...`)
  const result = timed(process.execPath, [
    path.join(ROOT, 'js', 'cli.js'),
    'analyze',
    SNAPSHOT,
    '--find',
    'Target',
    '--json',
  ])
  if (result.status !== 0) throw new Error(`leakwatch failed:\n${result.stderr}`)
  leakwatchRuns.push(result)
}
const bySeconds = [...leakwatchRuns].sort((a, b) => a.seconds - b.seconds)
const leakwatch = {
  ...bySeconds[Math.floor((RUNS - 1) / 2)],
  peakRss: Math.max(...leakwatchRuns.map((run) => run.peakRss)),
}
const analysis = JSON.parse(leakwatch.stdout)
const target = analysis.matches[0].paths[0]?.target
if (!target) throw new Error('leakwatch found no path to Target')

let memlab = { skipped: undefined }
const memlabBin = path.join(MEMLAB_PREFIX, 'node_modules', '@memlab', 'cli', 'bin', 'memlab.js')
if (!existsSync(memlabBin)) {
  log(`installing memlab@${MEMLAB_VERSION} (no save, no Chrome) into ${MEMLAB_PREFIX} ...`)
  const install = spawnSync(
    'npm',
    ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', MEMLAB_PREFIX, `memlab@${MEMLAB_VERSION}`],
    {
      encoding: 'utf8',
      env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' },
    },
  )
  if (install.status !== 0)
    memlab.skipped = `npm install memlab@${MEMLAB_VERSION} failed: ${install.stderr.split('\n').slice(-5).join(' ')}`
}
if (!memlab.skipped) {
  log(`memlab trace --node-id ${target.id} (takes a while) ...`)
  const run = timed(process.execPath, [
    '--max-old-space-size=16000',
    memlabBin,
    'trace',
    '--snapshot',
    SNAPSHOT,
    `--node-id=${target.id}`,
  ])
  memlab =
    run.status === 0 && /Target/.test(run.stdout + run.stderr)
      ? run
      : { skipped: `memlab exited ${run.status}: ${(run.stdout + run.stderr).split('\n').slice(-5).join(' ')}` }
}

const mb = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`
const rows = [
  ['', 'wall time', 'peak RSS', 'RSS / file'],
  ['leakwatch', `${leakwatch.seconds.toFixed(2)} s`, mb(leakwatch.peakRss), (leakwatch.peakRss / fileSize).toFixed(2)],
]
if (memlab.skipped) rows.push(['memlab', 'skipped', memlab.skipped, ''])
else {
  rows.push(['memlab', `${memlab.seconds.toFixed(2)} s`, mb(memlab.peakRss), (memlab.peakRss / fileSize).toFixed(2)])
  rows.push([
    'memlab / leakwatch',
    `${(memlab.seconds / leakwatch.seconds).toFixed(1)}×`,
    `${(memlab.peakRss / leakwatch.peakRss).toFixed(1)}×`,
    '',
  ])
}
const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)))
console.log(
  `\nSnapshot: ${mb(fileSize)}, ${analysis.nodeCount.toLocaleString('en-US')} nodes, ${analysis.edgeCount.toLocaleString('en-US')} edges`,
)
console.log(
  `Task: the retainer path and retained size of the one Target instance (@${target.id}, retains ${target.retainedSize} B)\n`,
)
for (const row of rows)
  console.log(
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[0]) : cell.padStart(widths[column]))).join('   '),
  )
console.log(
  `\nleakwatch: the median of ${RUNS} runs (${leakwatchRuns.map((run) => `${run.seconds.toFixed(2)} s`).join(', ')}), the highest peak RSS; memlab: one run.`,
)
console.log(
  `Targets: ≤ 1.5 s and peak RSS ≤ file size for a 600 MB snapshot (at leakwatch's rate, ${((leakwatch.seconds * 600e6) / fileSize).toFixed(2)} s for 600 MB).`,
)
writeFileSync(
  path.join(OUT, 'results.json'),
  `${JSON.stringify({ fileSize, nodes: analysis.nodeCount, edges: analysis.edgeCount, leakwatch: { seconds: leakwatch.seconds, peakRss: leakwatch.peakRss, runs: leakwatchRuns.map((run) => run.seconds) }, memlab: memlab.skipped ? { skipped: memlab.skipped } : { version: MEMLAB_VERSION, seconds: memlab.seconds, peakRss: memlab.peakRss } }, null, 2)}\n`,
)
