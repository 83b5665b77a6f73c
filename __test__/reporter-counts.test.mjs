// The reporter's counts agree with the runner's: vitest runs __test__/fixtures/reporter-counts in the forks pool,
// through its own JSON reporter and leakwatch's, and every count of leakwatch's JSON and summary is held against
// vitest's. The cases: a test failed by expectNoLeaks(fn) with nothing left at its end, one that catches that
// LeakError on purpose, one failed both ways, one failed by assertCleanShutdown(); a test.fails test whose leak fails
// its file; an expectNoLeaks() in beforeAll; a test calling process.exit() (vitest turns it into the test's error);
// and a file whose worker is killed under it. Each test and file leakwatch failed is counted, with its reason; the
// killed worker's file did not finish, and says so, rather than pass for skipped.

import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { after, before, describe, test } from 'node:test'
import { FIXTURES, lineOf, REPO_ROOT, runVitest } from './helpers/run-vitest.mjs'

const FIXTURE = 'reporter-counts'
const CLI = path.join(REPO_ROOT, 'js', 'cli.js')

/** vitest's JSON status of a test → the state leakwatch's report gives it. `pending`: it has no result. */
const VITEST_STATE = { passed: 'pass', failed: 'fail', skipped: 'skip', todo: 'skip', pending: 'unfinished' }

const outDir = mkdtempSync(path.join(tmpdir(), 'leakwatch-reporter-counts-'))
after(() => rmSync(outDir, { recursive: true, force: true }))

describe('leakwatch counts what vitest counts', () => {
  let run
  let report
  let summary
  const json = path.join(outDir, 'report.json')

  before(async () => {
    run = await runVitest(FIXTURE, {
      args: ['--reporter=leakwatch/reporter'],
      env: { LEAKWATCH_REPORT_JSON: json, LEAKWATCH_REPORT_HTML: path.join(outDir, 'report.html') },
      timeoutMs: 120_000,
    })
    assert.ok(existsSync(json), `the reporter wrote no report (exit ${run.exitCode}):\n${run.output}`)
    report = JSON.parse(readFileSync(json, 'utf8'))
    const start = run.output.indexOf('\n leakwatch ')
    summary = run.output.slice(start + 1, run.output.indexOf('\n', run.output.indexOf('  Totals:', start)))
  })

  const root = () => path.join(FIXTURES, FIXTURE)
  /** vitest's JSON: each test as `file > name` → { status, message }, and each file → { status, message, tests }. */
  function vitestView() {
    const tests = new Map()
    const files = new Map()
    for (const file of run.report.testResults) {
      const name = path.relative(root(), file.name)
      const statuses = file.assertionResults.map((test) => test.status)
      files.set(name, { status: file.status, message: file.message, statuses })
      for (const test of file.assertionResults) {
        tests.set(`${name} > ${[...test.ancestorTitles, test.title].join(' > ')}`, {
          status: test.status,
          message: test.failureMessages.join('\n'),
        })
      }
    }
    return { tests, files }
  }
  const records = () =>
    new Map(report.files.flatMap((file) => file.tests.map((test) => [`${file.file} > ${test.name}`, test])))
  const fileRecord = (name) => report.files.find((file) => file.file === name)

  test('every test has the state vitest gives it; a test with no result did not finish, it was not skipped', () => {
    const { tests } = vitestView()
    const mine = records()
    assert.equal(mine.size, tests.size)
    for (const [name, { status }] of tests)
      assert.equal(mine.get(name)?.state, VITEST_STATE[status], `${name}: vitest says ${status}`)
    assert.deepEqual(
      [...mine].filter(([, test]) => test.state === 'unfinished').map(([name]) => name),
      ['dies.test.js > before the worker dies', 'dies.test.js > kills its worker', 'dies.test.js > never runs'],
    )
  })

  test("the totals are vitest's: tests run, tests failed by a LeakError, tests that did not finish; files the same", () => {
    const {
      numPassedTests,
      numFailedTests,
      numPendingTests,
      numTodoTests,
      numFailedTestSuites,
      numPendingTestSuites,
      numTotalTestSuites,
    } = run.report
    const { tests, files } = vitestView()
    const { totals } = report
    assert.equal(totals.tests, numPassedTests + numFailedTests)
    assert.equal(totals.testsUnfinished, [...tests.values()].filter((test) => test.status === 'pending').length)
    assert.equal(
      report.files.flatMap((file) => file.tests).filter((test) => test.state === 'skip').length,
      numPendingTests + numTodoTests,
    )
    const leakErrors = [...tests.values()].filter(
      (test) => test.status === 'failed' && test.message.startsWith('LeakError'),
    )
    assert.equal(totals.testsFailedByLeaks, leakErrors.length)
    assert.equal(totals.testsFailedByLeaks, 3)
    // The fixture has no describe blocks: vitest's suites are its files.
    assert.equal(numTotalTestSuites, totals.files)
    // A file whose worker died is `pending` in vitest 4's JSON and `failed` in vitest 5's; either way none of its
    // tests finished, and leakwatch says it did not finish.
    const failedOrUnfinished = report.files.filter((file) => file.state === 'fail' || file.state === 'unfinished')
    assert.equal(failedOrUnfinished.length, numFailedTestSuites + numPendingTestSuites)
    const noTestFinished = run.report.testResults.filter((file) =>
      file.assertionResults.every((test) => test.status === 'pending'),
    )
    assert.equal(totals.filesUnfinished, noTestFinished.length)
    assert.equal(totals.filesUnfinished, 1)
    // The files failed by an error of their own: leakwatch's, the ones it counts.
    const failedByOwnError = [...files]
      .filter(([, file]) => file.status === 'failed' && file.message !== '')
      .map(([name]) => name)
    assert.deepEqual(
      report.files.filter((file) => file.failedByLeaks).map((file) => file.file),
      failedByOwnError.sort(),
    )
    assert.equal(totals.filesFailedByLeaks, 2)
  })

  test('each test and file leakwatch failed says why, and lists the leaks that failed it', () => {
    const mine = records()
    const why = (name) => {
      const test = mine.get(name)
      return [test.state, test.failedByLeaks, test.failureReasons, test.leaks.map((leak) => leak.site.line)]
    }
    const at = (marker) => lineOf(FIXTURE, 'thrown.test.js', marker)
    assert.deepEqual(why('thrown.test.js > fails by expectNoLeaks(fn), with nothing left at its end'), [
      'fail',
      true,
      ['expectNoLeaks'],
      [at('// leak:expect')],
    ])
    assert.deepEqual(why('thrown.test.js > catches the LeakError of expectNoLeaks(fn) on purpose, and passes'), [
      'pass',
      false,
      [],
      [],
    ])
    assert.deepEqual(why('thrown.test.js > fails by expectNoLeaks(fn) and at its end'), [
      'fail',
      true,
      ['leaks', 'expectNoLeaks'],
      [at('// leak:both-expect'), at('// leak:both-end')],
    ])
    assert.deepEqual(why('thrown.test.js > fails by assertCleanShutdown()'), [
      'fail',
      true,
      ['assertCleanShutdown'],
      [at('// leak:shutdown')],
    ])
    // vitest passes a test.fails test that throws; its leak is listed on it, and fails its file.
    assert.deepEqual(why('fails-flag.test.js > a test.fails test that leaks'), [
      'pass',
      false,
      [],
      [lineOf(FIXTURE, 'fails-flag.test.js', '// leak:fails-flag')],
    ])
    assert.deepEqual(why('exits.test.js > calls process.exit()'), ['fail', false, [], []])

    const file = (name) => {
      const record = fileRecord(name)
      return [record.state, record.failedByLeaks, record.failureReasons, record.leaks.map((leak) => leak.site.line)]
    }
    assert.deepEqual(file('fails-flag.test.js'), ['fail', true, ['testLeaks'], []])
    assert.deepEqual(file('before-all.test.js'), [
      'fail',
      true,
      ['expectNoLeaks'],
      [lineOf(FIXTURE, 'before-all.test.js', '// leak:before-all')],
    ])
    assert.deepEqual(file('exits.test.js'), ['fail', false, [], []])
    assert.deepEqual(file('dies.test.js'), ['unfinished', false, [], []])
    assert.equal(report.totals.leaks, 6)
  })

  test('the summary counts the same, with each reason, and names the file that did not finish', () => {
    const { totals } = report
    assert.match(summary, / leakwatch {2}3 tests and 2 files failed by leaks · 1 file did not finish: not checked\n/)
    assert.match(
      summary,
      /✗ fails by expectNoLeaks\(fn\), with nothing left at its end {2}1 leak; failed by expectNoLeaks\(\)\n/,
    )
    assert.match(
      summary,
      /✗ fails by expectNoLeaks\(fn\) and at its end {2}2 leaks; failed at its end and by expectNoLeaks\(\)\n/,
    )
    assert.match(summary, /✗ fails by assertCleanShutdown\(\) {2}1 leak; failed by assertCleanShutdown\(\)\n/)
    assert.match(
      summary,
      /fails-flag\.test\.js\n {4}✗ file scope .* the file failed by the leaks of tests vitest could not fail \(test\.fails, ctx\.skip\(\)\)\n {4}⚠ a test\.fails test that leaks {2}1 leak; passed: its leaks failed the file\n/,
    )
    assert.match(summary, /before-all\.test\.js\n {4}✗ file scope .* 1 leak; the file failed by expectNoLeaks\(\)\n/)
    assert.doesNotMatch(summary, /catches the LeakError|process\.exit/)
    assert.match(
      summary,
      / Files that did not finish \(their worker exited before they ended: a crash, process\.abort\(\), a kill\): not checked\n {2}⚠ dies\.test\.js {2}3 tests without a result\n/,
    )
    assert.ok(
      summary.includes(
        `  Totals: ${totals.files} files, ${totals.tests} tests run; failed by leaks: 3 tests, 2 files; warn-only: 0 tests, 0 files; ` +
          '6 leaks (Interval 5, TCP server 1); heap: 0 over a limit, 0 warnings; did not finish: 1 file, 3 tests',
      ),
      summary,
    )
    assert.equal(totals.tests, 10)
  })

  test('leakwatch merge reads the report back, with the same totals', () => {
    const merged = path.join(outDir, 'merged.json')
    const result = spawnSync(process.execPath, [CLI, 'merge', json, '-o', merged], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    })
    assert.equal(result.status, 1, result.stdout + result.stderr)
    assert.equal(result.stderr, '')
    assert.deepEqual(JSON.parse(readFileSync(merged, 'utf8')).totals, report.totals)
    assert.match(
      result.stdout,
      /Files that did not finish \(their worker exited before they ended, or the run was interrupted\): not checked/,
    )
  })
})
