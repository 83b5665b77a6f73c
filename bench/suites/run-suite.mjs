// Runs a prepared suite once, plain or with leakwatch at its defaults, and returns its wall time and each test's
// outcome, read from the runner's machine-readable output (vitest's JSON reporter, node:test's events), never from
// its logs.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { runNode } from '../../__test__/helpers/run-node.mjs'
import { runNodeTest } from '../../__test__/helpers/run-node-test.mjs'
import { plain } from '../../__test__/helpers/run-vitest.mjs'
import { suiteEnv, WRAPPER_CONFIGS } from './prepare.mjs'

/**
 * @typedef {object} TestOutcome
 * @property {string} file relative to the suite's root
 * @property {string} name `describe > test`; `(file)` for the file's own failure (its module level and file hooks)
 * @property {'passed' | 'failed' | 'skipped'} status
 * @property {string} message the failure as the runner reported it, in plain text
 */

/**
 * @typedef {object} SuiteRun
 * @property {number} wallS
 * @property {number | null} exitCode
 * @property {boolean} killed the run outlived its time and was killed
 * @property {Map<string, TestOutcome>} tests by `file > name`
 * @property {string | null} error why the run gave no results, when it gave none
 */

/**
 * @param {{ spec: import('./suites.mjs').SuiteSpec, dir: string, mode: 'plain' | 'leakwatch', launcher: string[],
 *   timeoutMs: number, logFile: string }} run
 * @returns {Promise<SuiteRun>}
 */
export function runSuite(run) {
  return run.spec.runner === 'vitest' ? runVitestSuite(run) : runNodeTestSuite(run)
}

async function runVitestSuite({ dir, mode, launcher, timeoutMs, logFile }) {
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'leakwatch-bench-suites-'))
  const outputFile = path.join(outDir, 'report.json')
  const vitest = path.join(dir, 'node_modules', 'vitest', 'vitest.mjs')
  const args = [
    vitest,
    'run',
    '--config',
    WRAPPER_CONFIGS[mode],
    '--reporter=json',
    `--outputFile=${outputFile}`,
    '--reporter=default',
  ]
  const started = performance.now()
  const { exitCode, output, killed } = await runNode(args, { cwd: dir, env: suiteEnv(), timeoutMs, launcher })
  const wallS = (performance.now() - started) / 1000
  writeFileSync(logFile, plain(output))
  try {
    const report = JSON.parse(readFileSync(outputFile, 'utf8'))
    return { wallS, exitCode, killed, tests: vitestOutcomes(report, dir), error: null }
  } catch (error) {
    return {
      wallS,
      exitCode,
      killed,
      tests: new Map(),
      error: `no JSON report (exit ${exitCode}${killed ? ', killed' : ''}): ${error.message}`,
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true })
  }
}

function vitestOutcomes(report, dir) {
  const tests = new Map()
  for (const file of report.testResults) {
    const fileName = path.relative(dir, file.name).split(path.sep).join('/')
    // A file's own error: it failed to load, or a check of its module level and beforeAll failed it.
    if (file.status === 'failed' && file.message)
      add(tests, { file: fileName, name: '(file)', status: 'failed', message: plain(file.message) })
    for (const test of file.assertionResults) {
      const status = test.status === 'passed' || test.status === 'failed' ? test.status : 'skipped'
      const name = [...test.ancestorTitles, test.title].join(' > ')
      add(tests, { file: fileName, name, status, message: plain((test.failureMessages ?? []).join('\n')) })
    }
  }
  return tests
}

/**
 * A node:test suite's test files, relative to its root, sorted: those of `testDirs` that `testFile` matches, outside
 * node_modules and the skipped ones.
 * @param {import('./suites.mjs').SuiteSpec} spec
 * @param {string} dir the suite's root
 * @returns {string[]}
 */
export function nodeTestFiles(spec, dir) {
  const skipped = new Set(spec.skip.map((entry) => entry.file))
  return spec.testDirs
    .flatMap((testDir) =>
      readdirSync(path.join(dir, testDir), { recursive: true }).map((file) =>
        path.posix.join(testDir, file.split(path.sep).join('/')),
      ),
    )
    .filter((file) => spec.testFile.test(file) && !file.split('/').includes('node_modules') && !skipped.has(file))
    .sort()
}

async function runNodeTestSuite({ spec, dir, mode, launcher, timeoutMs, logFile }) {
  const files = nodeTestFiles(spec, dir)
  const concurrency = Math.max(os.availableParallelism() - 1, 1)
  const args = [`--test-concurrency=${concurrency}`, ...spec.nodeArgs]
  const started = performance.now()
  const { exitCode, killed, stderr, events } = await runNodeTest(dir, files, {
    importFlag: mode === 'leakwatch',
    args,
    env: suiteEnv(),
    timeoutMs,
    launcher,
  })
  const wallS = (performance.now() - started) / 1000
  writeFileSync(logFile, `${stderr}\n${events.map((event) => JSON.stringify(event)).join('\n')}\n`)
  const tests = nodeTestOutcomes(events, dir)
  const error = tests.size === 0 ? `no test results (exit ${exitCode}${killed ? ', killed' : ''})` : null
  return { wallS, exitCode, killed, tests, error }
}

/**
 * node:test reports a test when it ends, so a test's subtests come before it, one nesting level deeper: each test
 * takes the names of the unclaimed results below its level as its subtests'. Results are grouped by file first,
 * since files running at the same time interleave.
 */
function nodeTestOutcomes(events, dir) {
  const byFile = new Map()
  for (const event of events) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue
    if (!byFile.has(event.file)) byFile.set(event.file, [])
    byFile.get(event.file).push(event)
  }
  const tests = new Map()
  for (const [file, fileEvents] of byFile) {
    const fileName = file ? path.relative(dir, file).split(path.sep).join('/') : '?'
    const unclaimed = []
    const results = []
    for (const event of fileEvents) {
      const subtree = []
      while (unclaimed.length > 0 && unclaimed.at(-1).nesting > event.nesting)
        subtree.unshift(...unclaimed.pop().subtree)
      for (const result of subtree) result.names.unshift(event.name)
      const result = { event, names: [event.name] }
      unclaimed.push({ nesting: event.nesting, subtree: [...subtree, result] })
      results.push(result)
    }
    for (const { event, names } of results) {
      // node:test names a file's own failure (a root after() hook) by the file's path.
      const ownFailure = event.name === event.file
      if (event.isSuite && !ownFailure && event.type === 'test:pass') continue
      // A parent fails when a subtest does: that failure is the subtest's, reported there; the parent's own passed.
      const subtestsFailed = event.error?.failureType === 'subtestsFailed'
      const status = event.type === 'test:pass' || subtestsFailed ? 'passed' : 'failed'
      const message = event.error ? `${event.error.name ? `${event.error.name}: ` : ''}${event.error.message}` : ''
      add(tests, {
        file: fileName,
        name: ownFailure ? '(file)' : names.join(' > '),
        status,
        message,
        isSuite: event.isSuite,
      })
    }
  }
  return tests
}

/** Two tests of a file may have the same name: the second is `name #2`, in the order they were reported. */
function add(tests, outcome) {
  let key = `${outcome.file} > ${outcome.name}`
  for (let n = 2; tests.has(key); n++) key = `${outcome.file} > ${outcome.name} #${n}`
  tests.set(key, outcome)
}
