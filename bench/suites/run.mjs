// The real-suite benchmark (issue 11): public suites that open real handles, pinned in suites.mjs, each run plain and
// with leakwatch at its defaults in interleaved pairs. It prints, per suite, the tests, the failures leakwatch adds
// (each with its class, or "real leak" from known-leaks.mjs) and the wall-time ratio, and writes a JSON result.
// It needs the network for npm installs and is not part of CI. Usage (from the repo root):
//
//   npm run bench:suites -- --suite node-server=/work/.mirror/honojs+node-server/repo \
//     --suite fastify=<git dir>@<commit> [--pairs 3] [--work-dir <dir>] [--fresh] [--timeout-min 30] [--host-network]
//
// `--suite` names a suite of suites.mjs and the git directory (or clone) holding it; the commit defaults to the pin.
// The suites are extracted and installed under --work-dir (default: <tmpdir>/leakwatch-bench-suites), outside this
// repository, and run in a network namespace of their own where only loopback exists (--host-network to run them on
// the machine's network when user namespaces are not available).

import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { loopbackOnlyLauncher, parseSuiteArg, prepareSuite, resolveCommit } from './prepare.mjs'
import { compareRuns, formatSuite, formatSummary } from './report.mjs'
import { runSuite } from './run-suite.mjs'
import { SUITES } from './suites.mjs'

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const USAGE =
  'usage: npm run bench:suites -- --suite <name>=<git dir>[@commit] ... [--pairs N] [--work-dir DIR] [--fresh] [--timeout-min N] [--host-network]'

function fail(message) {
  console.error(`bench/suites: ${message}`)
  process.exit(1)
}

let args
try {
  ;({ values: args } = parseArgs({
    options: {
      suite: { type: 'string', multiple: true },
      pairs: { type: 'string', default: '3' },
      'work-dir': { type: 'string', default: path.join(os.tmpdir(), 'leakwatch-bench-suites') },
      fresh: { type: 'boolean', default: false },
      'timeout-min': { type: 'string', default: '30' },
      'host-network': { type: 'boolean', default: false },
    },
  }))
} catch (error) {
  fail(`${error.message}\n${USAGE}`)
}
const pairCount = Number(args.pairs)
const timeoutMin = Number(args['timeout-min'])
if (!Number.isInteger(pairCount) || pairCount < 1) fail(`--pairs must be an integer >= 1, got ${args.pairs}`)
if (!(timeoutMin > 0)) fail(`--timeout-min must be a positive number, got ${args['timeout-min']}`)
if (!args.suite?.length) fail(`name at least one suite (${Object.keys(SUITES).join(', ')}).\n${USAGE}`)
const workDir = path.resolve(args['work-dir'])
// The suites' code and their node_modules stay out of this repository (and out of its tests' and linters' way).
if (!path.relative(REPO_ROOT, workDir).startsWith('..')) fail(`--work-dir must be outside this repository: ${workDir}`)

const requested = args.suite.map((arg) => {
  let parsed
  try {
    parsed = parseSuiteArg(arg)
  } catch (error) {
    fail(error.message)
  }
  const spec = SUITES[parsed.name]
  if (!spec) fail(`unknown suite ${parsed.name}: suites.mjs has ${Object.keys(SUITES).join(', ')}`)
  let commit
  try {
    commit = resolveCommit(parsed.gitDir, parsed.commit ?? spec.commit)
  } catch (error) {
    fail(error.message)
  }
  if (commit !== spec.commit) console.log(`note: ${parsed.name} runs at ${commit}, not at its pin ${spec.commit}`)
  return { ...parsed, commit, spec }
})

let launcher = []
if (!args['host-network']) {
  launcher = loopbackOnlyLauncher()
  if (!launcher)
    fail(
      "cannot make a network namespace (unshare --net --map-root-user, then ip link set lo up): pass --host-network to run the suites on this machine's network",
    )
}

const stamp = new Date().toISOString().replace(/[:.]/g, '-')
const resultsDir = path.join(REPO_ROOT, 'bench', 'results')
const logDir = path.join(resultsDir, `suites-${stamp}`)
mkdirSync(logDir, { recursive: true })
const log = (line) => console.log(`  ${line}`)

const results = []
for (const { name, gitDir, commit, spec } of requested) {
  console.log(`\n${name}: preparing`)
  const { dir, installed } = prepareSuite({ name, gitDir, commit, spec, workDir, fresh: args.fresh, log })
  const pairs = []
  for (let pair = 1; pair <= pairCount; pair++) {
    // Odd pairs run plain first, even pairs leakwatch first: neither mode always gets the colder machine.
    const order = pair % 2 === 1 ? ['plain', 'leakwatch'] : ['leakwatch', 'plain']
    const runs = { order }
    for (const mode of order) {
      process.stdout.write(`  pair ${pair}/${pairCount} ${mode}... `)
      const logFile = path.join(logDir, `${name}-${mode}-${pair}.log`)
      const run = await runSuite({ spec, dir, mode, launcher, timeoutMs: timeoutMin * 60_000, logFile })
      const failed = [...run.tests.values()].filter((test) => test.status === 'failed').length
      console.log(
        `${run.wallS.toFixed(1)} s, ${run.tests.size} results, ${failed} failed${run.error ? ` (${run.error})` : ''}`,
      )
      runs[mode] = run
    }
    pairs.push(runs)
  }
  const result = compareRuns(name, pairs)
  const suite = { name, spec, commit, versions: installed.versions }
  console.log(`\n${formatSuite(suite, result)}`)
  results.push({
    suite: name,
    repo: spec.repo,
    commit,
    tag: spec.tag ?? null,
    how: spec.how,
    skip: spec.skip,
    dir,
    installed,
    ...result,
  })
}

console.log(`\n${formatSummary(results)}`)

const resultsFile = path.join(resultsDir, `suites-${stamp}.json`)
const report = {
  date: new Date().toISOString(),
  machine: {
    nproc: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    os: `${os.platform()} ${os.release()}`,
  },
  network: launcher.length ? 'own namespace, loopback only' : 'host network',
  pairs: pairCount,
  suites: results,
}
writeFileSync(resultsFile, `${JSON.stringify(report, null, 2)}\n`)
console.log(`\nresults: ${path.relative(REPO_ROOT, resultsFile)} (run logs in ${path.relative(REPO_ROOT, logDir)}/)`)
