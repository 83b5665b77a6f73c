// `npm run bench:heap`: leakwatch's heap analyser against memlab on large snapshots of two shapes, wall time and
// peak RSS.
//
// 1. Writes the snapshots into bench/results/heap/ (kept between runs; LEAKWATCH_BENCH_REGENERATE=1 rewrites them),
//    each from a Node process (make-snapshot.cjs) holding one Target behind a chain a retainer path must find:
//    - wide:  LEAKWATCH_BENCH_OBJECTS (default 4,000,000) two-field objects in one array: many nodes, few edges each.
//    - dense: LEAKWATCH_BENCH_DENSE_OBJECTS (default 3,300,000) small objects of four classes in a Map of arrays,
//      pointing at one another: about five edges a node, the edge list most of the file.
// 2. `leakwatch analyze --find Target` (parse, retainer path, dominators, summary), under /usr/bin/time,
//    LEAKWATCH_BENCH_RUNS times per shape (default 5), the shapes interleaved so that a busy spell on a shared
//    machine hits both: the median time and the highest peak RSS.
// 3. memlab (pinned, installed with --no-save into bench/results/heap/memlab, Chrome download skipped): `memlab
//    trace --node-id <Target's id>`, which loads the snapshot with its shortest paths and dominators, then prints
//    the retainer trace: the same question. One run per shape (LEAKWATCH_BENCH_MEMLAB=0 leaves it out). A
//    JSON.parse baseline cannot run: a snapshot over ~512 MB is longer than V8's maximum string length.
// Results: printed side by side, and written to bench/results/heap/results.json.

import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const MEMLAB_VERSION = '2.0.5'
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const OUT = path.join(ROOT, 'bench', 'results', 'heap')
const MEMLAB_PREFIX = path.join(OUT, 'memlab')
const RUNS = Math.max(1, Number(process.env.LEAKWATCH_BENCH_RUNS ?? 5))
const WITH_MEMLAB = process.env.LEAKWATCH_BENCH_MEMLAB !== '0'
// The targets, per 600 MB of snapshot.
const TARGET_SECONDS_PER_600_MB = 1.5

const SHAPES = [
  {
    name: 'wide',
    what: 'two-field objects in one array',
    objects: Number(process.env.LEAKWATCH_BENCH_OBJECTS ?? 4_000_000),
  },
  {
    name: 'dense',
    what: 'small objects of four classes in a Map of arrays, pointing at one another',
    objects: Number(process.env.LEAKWATCH_BENCH_DENSE_OBJECTS ?? 3_300_000),
  },
].map((shape) => ({ ...shape, file: path.join(OUT, `${shape.name}.heapsnapshot`) }))

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

for (const shape of SHAPES) {
  if (!existsSync(shape.file) || process.env.LEAKWATCH_BENCH_REGENERATE === '1') {
    log(
      `writing the ${shape.name} snapshot: ${shape.objects.toLocaleString('en-US')} ${shape.what} (about a minute)...`,
    )
    execFileSync(
      process.execPath,
      [
        '--max-old-space-size=12000',
        path.join(ROOT, 'bench', 'heap', 'make-snapshot.cjs'),
        shape.file,
        shape.name,
        String(shape.objects),
      ],
      {
        stdio: 'inherit',
      },
    )
  }
  shape.fileSize = statSync(shape.file).size
  shape.runs = []
  log(`${shape.name} snapshot: ${shape.file} (${(shape.fileSize / 1e6).toFixed(0)} MB)`)
}

// A run takes a second or two and the machine may be shared: the shapes take turns, each run reading a file the
// previous read of it left in the page cache (one untimed read warms each first).
for (const shape of SHAPES) execFileSync('cat', [shape.file], { stdio: ['ignore', 'ignore', 'inherit'] })
for (let run = 1; run <= RUNS; run++) {
  for (const shape of SHAPES) {
    log(`leakwatch analyze ${shape.name} --find Target (run ${run}/${RUNS}) ...`)
    const result = timed(process.execPath, [
      path.join(ROOT, 'js', 'cli.js'),
      'analyze',
      shape.file,
      '--find',
      'Target',
      '--json',
    ])
    if (result.status !== 0) throw new Error(`leakwatch failed on the ${shape.name} snapshot:\n${result.stderr}`)
    shape.runs.push(result)
  }
}
for (const shape of SHAPES) {
  const bySeconds = [...shape.runs].sort((a, b) => a.seconds - b.seconds)
  shape.leakwatch = {
    ...bySeconds[Math.floor((RUNS - 1) / 2)],
    peakRss: Math.max(...shape.runs.map((run) => run.peakRss)),
  }
  shape.analysis = JSON.parse(shape.leakwatch.stdout)
  shape.target = shape.analysis.matches[0].paths[0]?.target
  if (!shape.target) throw new Error(`leakwatch found no path to Target in the ${shape.name} snapshot`)
}

const memlabBin = path.join(MEMLAB_PREFIX, 'node_modules', '@memlab', 'cli', 'bin', 'memlab.js')
let memlabSkipped = WITH_MEMLAB ? undefined : 'left out (LEAKWATCH_BENCH_MEMLAB=0)'
if (!memlabSkipped && !existsSync(memlabBin)) {
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
    memlabSkipped = `npm install memlab@${MEMLAB_VERSION} failed: ${install.stderr.split('\n').slice(-5).join(' ')}`
}
for (const shape of SHAPES) {
  if (memlabSkipped) {
    shape.memlab = { skipped: memlabSkipped }
    continue
  }
  log(`memlab trace --node-id ${shape.target.id} on the ${shape.name} snapshot (takes a while) ...`)
  const run = timed(process.execPath, [
    '--max-old-space-size=16000',
    memlabBin,
    'trace',
    '--snapshot',
    shape.file,
    `--node-id=${shape.target.id}`,
  ])
  shape.memlab =
    run.status === 0 && /Target/.test(run.stdout + run.stderr)
      ? run
      : { skipped: `memlab exited ${run.status}: ${(run.stdout + run.stderr).split('\n').slice(-5).join(' ')}` }
}

const mb = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`
for (const shape of SHAPES) {
  const { leakwatch, memlab, fileSize, analysis, target } = shape
  const rows = [
    ['', 'wall time', 'peak RSS', 'RSS / file'],
    [
      'leakwatch',
      `${leakwatch.seconds.toFixed(2)} s`,
      mb(leakwatch.peakRss),
      (leakwatch.peakRss / fileSize).toFixed(2),
    ],
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
  const per600 = (leakwatch.seconds * 600e6) / fileSize
  const met = per600 <= TARGET_SECONDS_PER_600_MB && leakwatch.peakRss <= fileSize
  console.log(
    `\n${shape.name}: ${mb(fileSize)}, ${analysis.nodeCount.toLocaleString('en-US')} nodes, ${analysis.edgeCount.toLocaleString('en-US')} edges (${shape.what})`,
  )
  console.log(
    `Task: the retainer path and retained size of the one Target instance (@${target.id}, retains ${target.retainedSize} B)\n`,
  )
  for (const row of rows)
    console.log(
      row.map((cell, column) => (column === 0 ? cell.padEnd(widths[0]) : cell.padStart(widths[column]))).join('   '),
    )
  console.log(
    `\nleakwatch: the median of ${RUNS} runs (${shape.runs.map((run) => `${run.seconds.toFixed(2)} s`).join(', ')}), the highest peak RSS; memlab: one run.`,
  )
  console.log(
    `Targets: ≤ ${TARGET_SECONDS_PER_600_MB} s per 600 MB and peak RSS ≤ file size: ${per600.toFixed(2)} s per 600 MB, RSS ${(leakwatch.peakRss / fileSize).toFixed(2)} of the file: ${met ? 'met' : 'missed'}.`,
  )
}
const results = Object.fromEntries(
  SHAPES.map((shape) => [
    shape.name,
    {
      fileSize: shape.fileSize,
      nodes: shape.analysis.nodeCount,
      edges: shape.analysis.edgeCount,
      leakwatch: {
        seconds: shape.leakwatch.seconds,
        peakRss: shape.leakwatch.peakRss,
        runs: shape.runs.map((run) => run.seconds),
      },
      memlab: shape.memlab.skipped
        ? { skipped: shape.memlab.skipped }
        : { version: MEMLAB_VERSION, seconds: shape.memlab.seconds, peakRss: shape.memlab.peakRss },
    },
  ]),
)
writeFileSync(path.join(OUT, 'results.json'), `${JSON.stringify(results, null, 2)}\n`)
