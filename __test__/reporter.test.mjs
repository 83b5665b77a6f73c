// leakwatch/reporter: vitest run on fixture suites with the reporter, as a user would; the JSON report, the summary
// in the terminal, the exit code, the same records from every pool and from shards merged with `leakwatch merge`,
// and the suite's heap growth judged over its files.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fitPooledGrowth, judgeSuiteGrowth } from '../js/core/heap-growth.js'
import LeakwatchReporter from '../js/reporter/index.js'
import { buildReport } from '../js/reporter/report.js'
import { formatSummary } from '../js/reporter/summary.js'
import { lineOf, plain, REPO_ROOT, runVitest } from './helpers/run-vitest.mjs'

const FIXTURE = 'reporter'
const GROWTH_FIXTURE = 'reporter-growth'
const CLI = path.join(REPO_ROOT, 'js', 'cli.js')

const outDir = mkdtempSync(path.join(tmpdir(), 'leakwatch-reporter-'))
after(() => rmSync(outDir, { recursive: true, force: true }))

/** Runs a fixture with leakwatch's reporter writing its JSON (and HTML) under `name`; the report read back. */
async function runWithReporter(fixture, name, args = []) {
  const json = path.join(outDir, `${name}.json`)
  const html = path.join(outDir, `${name}.html`)
  const run = await runVitest(fixture, {
    args: ['--reporter=leakwatch/reporter', ...args],
    env: { LEAKWATCH_REPORT_JSON: json, LEAKWATCH_REPORT_HTML: html },
    timeoutMs: 90_000,
  })
  assert.ok(existsSync(json), `the reporter wrote no ${json} (exit ${run.exitCode}):\n${run.output}`)
  return { ...run, json, html, leakwatch: JSON.parse(readFileSync(json, 'utf8')) }
}

function runCli(args, cwd = outDir) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  })
  return { status: result.status, stdout: plain(result.stdout), stderr: plain(result.stderr) }
}

/** The records of a report, without what differs between runs (timings, heap figures, ports, workers). */
function comparable(report) {
  const site = (leak) => (leak.site ? `${leak.site.file}:${leak.site.line}` : null)
  return report.files.map((file) => ({
    file: file.file,
    state: file.state,
    failedByLeaks: file.failedByLeaks,
    leaks: file.leaks.map((leak) => [leak.kind, site(leak)]),
    tests: file.tests.map((test) => ({
      name: test.name,
      index: test.index,
      state: test.state,
      failedByLeaks: test.failedByLeaks,
      warned: test.warned,
      leaks: test.leaks.map((leak) => [leak.kind, site(leak)]),
    })),
  }))
}

/** vitest's own view of each test (its JSON reporter): `file > describe > test` → status. */
function vitestStatuses(run) {
  const root = path.join(REPO_ROOT, '__test__', 'fixtures', FIXTURE)
  const statuses = new Map()
  for (const file of run.report.testResults) {
    for (const test of file.assertionResults) {
      statuses.set(
        `${path.relative(root, file.name)} > ${[...test.ancestorTitles, test.title].join(' > ')}`,
        test.status,
      )
    }
  }
  return statuses
}

function findTest(report, file, name) {
  const fileRecord = report.files.find((entry) => entry.file === file)
  assert.ok(fileRecord, `no record for ${file}; files: ${report.files.map((entry) => entry.file)}`)
  const testRecord = fileRecord.tests.find((entry) => entry.name === name)
  assert.ok(testRecord, `no record for ${file} > ${name}; tests: ${fileRecord.tests.map((entry) => entry.name)}`)
  return testRecord
}

const VITEST_STATE = { passed: 'pass', failed: 'fail', skipped: 'skip', pending: 'unfinished', todo: 'skip' }

describe('a suite with leaks, in the forks pool (a worker per file) and the threads pool (workers reused), 2 workers each', () => {
  let forks
  let threads

  before(async () => {
    forks = await runWithReporter(FIXTURE, 'forks', ['--pool=forks', '--maxWorkers=2'])
    threads = await runWithReporter(FIXTURE, 'threads', ['--pool=threads', '--no-isolate', '--maxWorkers=2'])
  })

  test('the JSON has one record per test that vitest ran or skipped, with its state, in files sorted by path', () => {
    const { leakwatch } = forks
    assert.equal(leakwatch.schema, 'leakwatch-report')
    assert.equal(leakwatch.version, 1)
    assert.equal(leakwatch.root, path.join(REPO_ROOT, '__test__', 'fixtures', FIXTURE))
    const files = leakwatch.files.map((file) => file.file)
    assert.deepEqual(files, [...files].sort())
    const records = new Map(
      leakwatch.files.flatMap((file) => file.tests.map((test) => [`${file.file} > ${test.name}`, test])),
    )
    const statuses = vitestStatuses(forks)
    assert.equal(records.size, statuses.size, `records: ${[...records.keys()].join('\n')}`)
    for (const [name, status] of statuses) {
      assert.ok(records.has(name), `no record for ${name}`)
      assert.equal(records.get(name).state, VITEST_STATE[status], name)
    }
    assert.equal(records.get('timers.test.js > timers > is skipped').state, 'skip')
    // The position in the file as declared, skipped tests included.
    assert.deepEqual(
      ['leaks an interval', 'clears its interval', 'is skipped'].map(
        (name) => records.get(`timers.test.js > timers > ${name}`).index,
      ),
      [0, 1, 2],
    )
  })

  test("a leaking test: failed by leaks, its deltas, and its leak with the fixture's file and line", () => {
    const server = findTest(forks.leakwatch, 'server.test.js', 'leaks a server')
    assert.equal(server.failedByLeaks, true)
    assert.deepEqual(server.failureReasons, ['leaks'])
    assert.equal(server.warned, false)
    assert.equal(server.created['TCP server'], 1)
    assert.equal(server.handles['TCP server'], 1)
    assert.equal(server.leaks.length, 1)
    assert.equal(server.leaks[0].kind, 'TCP server')
    assert.match(server.leaks[0].description, /^TCP server listening on 127\.0\.0\.1:\d+$/)
    assert.equal(server.leaks[0].site.file, 'server.test.js')
    assert.equal(server.leaks[0].site.line, lineOf(FIXTURE, 'server.test.js', '// leak:server'))

    const interval = findTest(forks.leakwatch, 'timers.test.js', 'timers > leaks an interval')
    assert.equal(interval.failedByLeaks, true)
    assert.deepEqual(
      interval.leaks.map((leak) => [leak.kind, leak.site.file, leak.site.line]),
      [['Interval', 'timers.test.js', lineOf(FIXTURE, 'timers.test.js', '// leak:interval')]],
    )

    const listener = findTest(forks.leakwatch, 'listener.test.js', 'leaves a SIGTERM handler')
    assert.deepEqual(listener.listeners, { 'process "SIGTERM"': 1 })
    assert.deepEqual(
      listener.leaks.map((leak) => [leak.kind, leak.event, leak.site.line]),
      [['Listener', 'SIGTERM', lineOf(FIXTURE, 'listener.test.js', '// leak:listener')]],
    )
  })

  test('clean tests: no leaks, not failed, their deltas show what they opened and closed', () => {
    for (const [file, name] of [
      ['server.test.js', 'closes its server'],
      ['timers.test.js', 'timers > clears its interval'],
      ['listener.test.js', 'removes its SIGTERM handler'],
    ]) {
      const record = findTest(forks.leakwatch, file, name)
      assert.equal(record.state, 'pass', name)
      assert.equal(record.failedByLeaks, false, name)
      assert.deepEqual(record.leaks, [], name)
      assert.deepEqual(record.handles, {}, name)
    }
    assert.equal(findTest(forks.leakwatch, 'server.test.js', 'closes its server').created['TCP server'], 1)
  })

  test("a file's own leak (module level) is on the file record, which failed by leaks", () => {
    const file = forks.leakwatch.files.find((entry) => entry.file === 'file-scope.test.js')
    assert.equal(file.state, 'fail')
    assert.equal(file.failedByLeaks, true)
    assert.deepEqual(file.failureReasons, ['leaks'])
    assert.deepEqual(
      file.leaks.map((leak) => [leak.kind, leak.site.file, leak.site.line]),
      [['TCP server', 'file-scope.test.js', lineOf(FIXTURE, 'file-scope.test.js', '// leak:file-server')]],
    )
    assert.equal(findTest(forks.leakwatch, 'file-scope.test.js', 'uses the module-level server').state, 'pass')
  })

  test("heap figures per test; exact deltas with heap: 'test'; a steadily growing file warned about, naming it", () => {
    for (const file of forks.leakwatch.files) {
      for (const test of file.tests.filter((entry) => entry.state !== 'skip')) {
        assert.ok(
          test.heap && test.heap.heapBytes > 0 && test.heap.nativeBytes >= 0,
          `${file.file} > ${test.name}: ${JSON.stringify(test.heap)}`,
        )
      }
    }
    const heapFile = forks.leakwatch.files.find((entry) => entry.file === 'heap.test.js')
    assert.ok(
      heapFile.tests.every((test) => test.heap.afterGc),
      "heap: 'test' forces a GC after every test",
    )
    for (const test of heapFile.tests.slice(1))
      assert.ok(test.heap.heapDeltaBytes > 3 * 1024 * 1024, `${test.name}: ${test.heap.heapDeltaBytes}`)
    assert.equal(heapFile.heap.samples, 6)
    assert.equal(heapFile.heap.points.length, 6)
    assert.ok(heapFile.heap.slopeBytesPerTest > 3 * 1024 * 1024, String(heapFile.heap.slopeBytesPerTest))
    assert.equal(heapFile.heap.error, null)
    assert.match(
      heapFile.heap.warning,
      /^file heap\.test\.js: heap after GC grew \d+\.\d+ MB per test over 6 tests .*: it grows steadily\n {2}the tests that grew most:\n.*keeps 4 MB, run \d/,
    )
    assert.equal(forks.leakwatch.totals.filesWithHeapWarning, 1)
    assert.equal(forks.leakwatch.totals.filesOverHeapLimit, 0)
    assert.equal(forks.leakwatch.suite.error, null)
    assert.match(forks.leakwatch.suite.warning, /^suite: heap after GC grew .* per test within its files/)
  })

  test("the totals add up the records, and agree with vitest's LeakErrors", () => {
    const { totals, files } = forks.leakwatch
    const tests = files.flatMap((file) => file.tests)
    const leakErrors = forks.report.testResults
      .flatMap((file) => file.assertionResults)
      .filter((test) => test.status === 'failed' && plain(test.failureMessages.join('\n')).startsWith('LeakError'))
    assert.equal(totals.testsFailedByLeaks, leakErrors.length)
    assert.equal(totals.testsFailedByLeaks, 3)
    assert.equal(totals.testsWarned, 1)
    assert.equal(totals.filesFailedByLeaks, 1)
    assert.equal(totals.files, files.length)
    assert.equal(totals.tests, tests.filter((test) => test.state !== 'skip').length)
    assert.equal(
      totals.leaks,
      tests.reduce((sum, test) => sum + test.leakCount, 0) + files.reduce((sum, file) => sum + file.leakCount, 0),
    )
    // Under the report's limit, every leak is listed: the counts are the records'.
    for (const scope of [...files, ...tests]) assert.equal(scope.leakCount, scope.leaks.length)
    assert.deepEqual(totals.leaksByKind, { Interval: 2, Listener: 1, 'TCP server': 2 })
  })

  test('the summary names each leaking test, the kind, count and creation line; the warn-only test; the totals', () => {
    const { output } = forks
    const line = (file, marker) => `${file}:${lineOf(FIXTURE, file, marker)}:`
    assert.match(
      output,
      / leakwatch {2}3 tests and 1 file failed by leaks · 1 test leaked in warn-only mode \(onLeak: 'warn'\)/,
    )
    const leaks = output.slice(output.indexOf(' Leaks by file and test'))
    assert.ok(
      leaks.includes(
        `✗ leaks a server  1 leak; failed\n        1 × TCP server  created at ${line('server.test.js', '// leak:server')}`,
      ),
      leaks,
    )
    assert.ok(
      leaks.includes(
        `✗ timers > leaks an interval  1 leak; failed\n        1 × Interval  created at ${line('timers.test.js', '// leak:interval')}`,
      ),
      leaks,
    )
    assert.ok(leaks.includes(`1 × Listener  created at ${line('listener.test.js', '// leak:listener')}`), leaks)
    assert.ok(leaks.includes(`1 × TCP server  created at ${line('file-scope.test.js', '// leak:file-server')}`), leaks)
    assert.ok(leaks.includes(`⚠ warn-only: leaks an interval  1 leak; warn-only (onLeak: 'warn'): passed`), leaks)
    assert.doesNotMatch(leaks, /closes its server|clears its interval/)
    assert.match(output, /⚠ file heap\.test\.js: heap after GC grew .* it grows steadily/)
    assert.match(output, /tests that grew most .*\n\s+\d+\.\d+ MB {2}heap\.test\.js > keeps 4 MB, run \d/)
    assert.match(
      output,
      /Totals: 6 files, 15 tests run; failed by leaks: 3 tests, 1 file; warn-only: 1 test, 0 files; 5 leaks \(Interval 2, Listener 1, TCP server 2\)/,
    )
    assert.ok(output.includes(`Reports: ${forks.json}`), output.slice(-600))
  })

  test('the HTML report is written beside the JSON, with the leaking tests in it', () => {
    const html = readFileSync(forks.html, 'utf8')
    assert.match(html, /^<!doctype html>/i)
    for (const name of ['leaks a server', 'timers &gt; leaks an interval', 'leaves a SIGTERM handler'])
      assert.ok(html.includes(name), name)
    assert.ok(forks.output.includes(`Reports: ${forks.json}, ${forks.html}`), forks.output.slice(-600))
    assert.doesNotMatch(forks.output, /leakwatch\/reporter: (could not|the report could not)/)
  })

  test("exit code 1: vitest's own, for the tests and the file leakwatch failed", () => {
    assert.equal(forks.exitCode, 1, forks.output)
    assert.equal(threads.exitCode, 1, threads.output)
  })

  test('forks and threads (workers reused across files), with 2 workers each, give the same records', () => {
    assert.deepEqual(comparable(threads.leakwatch), comparable(forks.leakwatch))
    assert.deepEqual(threads.leakwatch.totals, forks.leakwatch.totals)
    for (const [run, pool] of [
      [forks, 'forks'],
      [threads, 'threads'],
    ]) {
      assert.deepEqual(new Set(run.leakwatch.files.map((file) => file.pool)), new Set([pool]))
      const workers = new Set(run.leakwatch.files.map((file) => file.workerId))
      assert.ok(
        workers.size >= 2 && [...workers].every(Number.isInteger),
        `${pool}: files ran in workers ${[...workers]}`,
      )
    }
  })

  describe('shards 1/3, 2/3, 3/3 merged with leakwatch merge', () => {
    let shards
    let merged

    before(async () => {
      shards = []
      for (const index of [1, 2, 3])
        shards.push(
          await runWithReporter(FIXTURE, `shard-${index}`, ['--pool=forks', '--maxWorkers=2', `--shard=${index}/3`]),
        )
      merged = runCli(['merge', ...shards.map((shard) => shard.json), '-o', 'merged.json'])
    })

    test('each shard ran a part of the files, and says which shard it was', () => {
      const parts = shards.map((shard) => shard.leakwatch.files.map((file) => file.file))
      assert.deepEqual(
        parts.flat().sort(),
        forks.leakwatch.files.map((file) => file.file),
      )
      shards.forEach((shard, index) => assert.equal(shard.leakwatch.sources[0].shard, `${index + 1}/3`))
    })

    test("the merged report equals the whole run: totals, and every record's name, state, leak kinds and sites", () => {
      assert.equal(merged.stderr, '')
      const report = JSON.parse(readFileSync(path.join(outDir, 'merged.json'), 'utf8'))
      assert.deepEqual(report.totals, forks.leakwatch.totals)
      assert.deepEqual(comparable(report), comparable(forks.leakwatch))
      assert.deepEqual(
        report.sources.map((source) => source.shard),
        ['1/3', '2/3', '3/3'],
      )
      assert.equal(report.schema, 'leakwatch-report')
      assert.equal(report.version, 1)
    })

    test('merge prints the summary of the whole, and exits 1: leakwatch failed tests in it', () => {
      assert.equal(merged.status, 1, merged.stdout + merged.stderr)
      assert.match(merged.stdout, /3 tests and 1 file failed by leaks/)
      assert.match(merged.stdout, /Totals: 6 files, 15 tests run/)
      assert.match(merged.stdout, /leakwatch: merged 3 reports \(15 tests in 6 files\)/)
    })

    test('merge refuses, with exit code 2 and the reason: a missing file, not JSON, another schema or version, a file twice, no file', () => {
      const good = shards[0].json
      const write = (name, text) => {
        const file = path.join(outDir, name)
        writeFileSync(file, text)
        return file
      }
      const report = JSON.parse(readFileSync(good, 'utf8'))
      const cases = [
        [['merge', path.join(outDir, 'missing.json')], /leakwatch: cannot read .*missing\.json: no such file/],
        [
          ['merge', good, write('not-json.json', '{"schema": ')],
          /not-json\.json is not JSON \(.*\): is it a leakwatch report\?/,
        ],
        [
          ['merge', write('other.json', JSON.stringify({ schema: 'vitest-blob' }))],
          /other\.json is not a leakwatch report: its "schema" is "vitest-blob", expected "leakwatch-report"/,
        ],
        [
          ['merge', write('v2.json', JSON.stringify({ ...report, version: 2 }))],
          /v2\.json is a leakwatch report of schema version 2; this leakwatch \(.*\) reads version 1/,
        ],
        [
          ['merge', write('no-files.json', JSON.stringify({ ...report, files: {} }))],
          /no-files\.json: files must be an array; it is an object \(not a report as leakwatch's reporter writes it/,
        ],
        [
          ['merge', good, good],
          /the test file \S+ is in both .* and .*: merge combines reports of different parts of a suite/,
        ],
        [['merge'], /merge wants one or more report files/],
      ]
      for (const [args, message] of cases) {
        const result = runCli(args)
        assert.equal(result.status, 2, `${args.join(' ')}: ${result.stdout}${result.stderr}`)
        assert.match(result.stderr, message)
      }
    })

    test('a report with a malformed field is refused with exit code 2, naming the field, before any file is written', () => {
      const report = forks.leakwatch
      const fileIndex = report.files.findIndex((file) => file.file === 'server.test.js')
      const testIndex = report.files[fileIndex].tests.findIndex((test) => test.name === 'leaks a server')
      const heapFileIndex = report.files.findIndex((file) => file.file === 'heap.test.js')
      const leak = `files[${fileIndex}].tests[${testIndex}].leaks[0]`
      const cases = [
        [
          'leak-no-description',
          (copy) => delete copy.files[fileIndex].tests[testIndex].leaks[0].description,
          `${leak}.description must be a string; it is missing`,
        ],
        [
          'leak-null',
          (copy) => (copy.files[fileIndex].tests[testIndex].leaks[0] = null),
          `${leak} must be an object (a leak); it is null`,
        ],
        [
          'leak-site-line',
          (copy) => (copy.files[fileIndex].tests[testIndex].leaks[0].site.line = '12'),
          `${leak}.site.line must be a whole number; it is the string "12"`,
        ],
        [
          'leak-retainer-path',
          (copy) => (copy.files[fileIndex].tests[testIndex].leaks[0].retainerPath = 7),
          `${leak}.retainerPath must be a string or null; it is the number 7`,
        ],
        [
          'warnings-null',
          (copy) => (copy.files[fileIndex].warnings = null),
          `files[${fileIndex}].warnings must be an array; it is null`,
        ],
        [
          'warning-number',
          (copy) => (copy.files[fileIndex].tests[testIndex].warnings = [3]),
          `files[${fileIndex}].tests[${testIndex}].warnings[0] must be a string; it is the number 3`,
        ],
        [
          'state',
          (copy) => (copy.files[fileIndex].tests[testIndex].state = 'passed'),
          `files[${fileIndex}].tests[${testIndex}].state must be one of "pass", "fail", "skip", "unfinished"; it is the string "passed"`,
        ],
        [
          'leak-count',
          (copy) => (copy.files[fileIndex].tests[testIndex].leakCount = 0),
          `files[${fileIndex}].tests[${testIndex}].leakCount must be at least the number of its leaks (1); it is the number 0`,
        ],
        [
          'leaks-by-kind',
          (copy) => (copy.files[fileIndex].tests[testIndex].leaksByKind = { 'TCP server': 2 }),
          `files[${fileIndex}].tests[${testIndex}].leakCount must be the sum of its leaksByKind (2); it is the number 1`,
        ],
        [
          'leak-group',
          (copy) => (copy.files[fileIndex].tests[testIndex].leakGroups[0].leak = 1),
          `files[${fileIndex}].tests[${testIndex}].leakGroups[0].leak must be the index of one of its leaks (0 to 0); it is the number 1`,
        ],
        [
          'leak-group-count',
          (copy) => delete copy.files[fileIndex].tests[testIndex].leakGroupCount,
          `files[${fileIndex}].tests[${testIndex}].leakGroupCount must be a whole number; it is missing`,
        ],
        [
          'failure-reason',
          (copy) => (copy.files[fileIndex].tests[testIndex].failureReasons = ['leak']),
          `files[${fileIndex}].tests[${testIndex}].failureReasons[0] must be one of "leaks", "expectNoLeaks", "assertCleanShutdown", "heapGrowth", "testLeaks"; it is the string "leak"`,
        ],
        [
          'failed-by-leaks',
          (copy) => (copy.files[fileIndex].tests[testIndex].failureReasons = []),
          `files[${fileIndex}].tests[${testIndex}].failedByLeaks must be false (its failureReasons are []); it is the boolean true`,
        ],
        [
          'point',
          (copy) => (copy.files[heapFileIndex].heap.points[1].heapBytes = 'x'),
          `files[${heapFileIndex}].heap.points[1].heapBytes must be a number of bytes; it is the string "x"`,
        ],
        [
          'point-index',
          (copy) => (copy.files[heapFileIndex].heap.points[2].testIndex = -1),
          `files[${heapFileIndex}].heap.points[2].testIndex must be a whole number from 0; it is the number -1`,
        ],
        [
          'options',
          (copy) => (copy.files[fileIndex].options.heap = 'sometimes'),
          `files[${fileIndex}].options.heap must be one of "off", "file", "test"; it is the string "sometimes"`,
        ],
        [
          'source',
          (copy) => (copy.sources = [null]),
          'sources[0] must be an object { createdAt, shard, hostname }; it is null',
        ],
      ]
      for (const [name, spoil, message] of cases) {
        const copy = structuredClone(report)
        spoil(copy)
        const input = path.join(outDir, `malformed-${name}.json`)
        writeFileSync(input, JSON.stringify(copy))
        const output = path.join(outDir, `malformed-${name}-merged.json`)
        const html = path.join(outDir, `malformed-${name}-merged.html`)
        const result = runCli(['merge', input, '-o', output, '--html', html])
        assert.equal(result.status, 2, `${name}: ${result.stdout}${result.stderr}`)
        assert.equal(
          result.stderr,
          `leakwatch: ${input}: ${message} (not a report as leakwatch's reporter writes it: merge the reports it wrote, unedited)\n`,
          name,
        )
        assert.equal(result.stdout, '', name)
        assert.ok(!existsSync(output) && !existsSync(html), `${name}: a report was written`)
      }
    })
  })
})

describe("warn-only mode (configure({ onLeak: 'warn' }))", () => {
  let run

  before(async () => {
    run = await runWithReporter(FIXTURE, 'warn', ['warn.test.js'])
  })

  test('the leaking test passes, and the exit code stays 0: warn-only mode does not fail the run', () => {
    assert.equal(run.exitCode, 0, run.output)
    assert.match(run.output, /Tests {2}2 passed \(2\)/)
  })

  test('the JSON shows the leak: the test warned, not failed, with the leak and its line', () => {
    const record = findTest(run.leakwatch, 'warn.test.js', 'warn-only: leaks an interval')
    assert.equal(record.state, 'pass')
    assert.equal(record.warned, true)
    assert.equal(record.failedByLeaks, false)
    assert.deepEqual(
      record.leaks.map((leak) => [leak.kind, leak.site.line]),
      [['Interval', lineOf(FIXTURE, 'warn.test.js', '// leak:warn-interval')]],
    )
    assert.equal(run.leakwatch.totals.testsWarned, 1)
    assert.equal(run.leakwatch.totals.testsFailedByLeaks, 0)
    assert.equal(findTest(run.leakwatch, 'warn.test.js', 'warn-only: leaks nothing').warned, false)
  })

  test('the summary shows it: the headline, and the test with its kind and line', () => {
    assert.match(
      run.output,
      / leakwatch {2}1 test leaked in warn-only mode \(onLeak: 'warn'\): passed, exit code unchanged/,
    )
    const line = lineOf(FIXTURE, 'warn.test.js', '// leak:warn-interval')
    assert.ok(
      run.output.includes(
        `⚠ warn-only: leaks an interval  1 leak; warn-only (onLeak: 'warn'): passed\n        1 × Interval  created at warn.test.js:${line}:`,
      ),
      run.output,
    )
  })
})

describe('suite heap growth: maxHeapGrowthPerTest over the suite', () => {
  let accumulating
  let clean

  before(async () => {
    accumulating = await runWithReporter(GROWTH_FIXTURE, 'accumulating', ['accumulating'])
    clean = await runWithReporter(GROWTH_FIXTURE, 'clean', ['clean'])
  })

  test('files too short to be judged alone pass, but the suite is over the limit: the run exits 1', () => {
    assert.match(accumulating.output, /Tests {2}6 passed \(6\)/)
    for (const file of accumulating.leakwatch.files) assert.equal(file.heap.error, null, file.file)
    assert.equal(accumulating.exitCode, 1, accumulating.output)
  })

  test("the suite's error names the slope, the limit and the tests that grew most, in the JSON and the summary", () => {
    const { suite, options } = accumulating.leakwatch
    assert.equal(options.maxHeapGrowthPerTest, 1024 * 1024)
    assert.equal(suite.files, 3)
    assert.equal(suite.samples, 6)
    assert.ok(suite.slopeBytesPerTest > 3 * 1024 * 1024, String(suite.slopeBytesPerTest))
    assert.match(
      suite.error,
      /^suite: heap after GC grew \d+\.\d+ MB per test within its files \(a fit pooled over 3 files and 6 samples, R² \d\.\d\d; 6 tests\); the limit is 1\.05 MB per test \(maxHeapGrowthPerTest\)/,
    )
    assert.match(
      suite.error,
      /the tests that grew most:\n\s+\d+\.\d+ MB {2}accumulating-[abc]\.test\.js > keeps 4 MB more/,
    )
    assert.match(accumulating.output, / leakwatch {2}the suite grew past maxHeapGrowthPerTest: the run fails/)
    assert.match(accumulating.output, /✗ suite: heap after GC grew .* the limit is 1\.05 MB per test/)
  })

  test('a suite doing the same work without keeping it stays under the limit, and exits 0', () => {
    assert.equal(clean.exitCode, 0, clean.output)
    assert.equal(clean.leakwatch.suite.error, null)
    assert.equal(clean.leakwatch.suite.files, 3)
    assert.ok(clean.leakwatch.suite.slopeBytesPerTest < 1024 * 1024, String(clean.leakwatch.suite.slopeBytesPerTest))
    assert.match(clean.output, / leakwatch {2}no leaks in 6 tests checked\n/)
  })

  test('heap samples that are not numbers are refused by merge (exit 2), not fitted into a NaN slope that passes', () => {
    const copy = structuredClone(accumulating.leakwatch)
    copy.files[0].heap.points[1].heapBytes = null
    const input = path.join(outDir, 'accumulating-null-point.json')
    writeFileSync(input, JSON.stringify(copy))
    const result = runCli(['merge', input, '-o', 'accumulating-null-point-merged.json'])
    assert.equal(result.status, 2, result.stdout + result.stderr)
    assert.match(
      result.stderr,
      /accumulating-null-point\.json: files\[0\]\.heap\.points\[1\]\.heapBytes must be a number of bytes; it is null/,
    )
    assert.ok(!existsSync(path.join(outDir, 'accumulating-null-point-merged.json')))
  })

  describe('with a file leakwatch never ran in (all its tests skipped): one run, and two parts merged', () => {
    let whole
    let skipOnly
    let merged
    let mergedReport

    before(async () => {
      whole = await runWithReporter(GROWTH_FIXTURE, 'growth-whole', ['accumulating', 'skip-only'])
      skipOnly = await runWithReporter(GROWTH_FIXTURE, 'growth-skip-only', ['skip-only'])
      merged = runCli(['merge', accumulating.json, skipOnly.json, '-o', 'growth-merged.json'])
      mergedReport = JSON.parse(readFileSync(path.join(outDir, 'growth-merged.json'), 'utf8'))
    })

    test('the skip-only file records no options; the others, the ones they ran with', () => {
      const options = (report) => Object.fromEntries(report.files.map((file) => [file.file, file.options]))
      const ran = { heap: 'file', maxHeapGrowthPerTest: 1024 * 1024, maxHeapGrowthPerFile: null, onLeak: 'fail' }
      assert.deepEqual(options(whole.leakwatch), {
        'accumulating-a.test.js': ran,
        'accumulating-b.test.js': ran,
        'accumulating-c.test.js': ran,
        'skip-only.test.js': null,
      })
      assert.deepEqual(options(skipOnly.leakwatch), { 'skip-only.test.js': null })
    })

    test('the whole run is judged against the limit and exits 1; so does the merge of its parts, with the same options', () => {
      assert.equal(whole.exitCode, 1, whole.output)
      assert.match(
        whole.leakwatch.suite.error,
        /^suite: heap after GC grew .* the limit is 1\.05 MB per test \(maxHeapGrowthPerTest\)/,
      )
      assert.equal(merged.status, 1, merged.stdout + merged.stderr)
      assert.deepEqual(mergedReport.options, whole.leakwatch.options)
      assert.deepEqual(mergedReport.options, {
        heap: 'file',
        maxHeapGrowthPerTest: 1024 * 1024,
        maxHeapGrowthPerFile: null,
      })
      assert.match(
        mergedReport.suite.error,
        /^suite: heap after GC grew .* \(a fit pooled over 3 files and 6 samples, .*; 6 tests\); the limit is 1\.05 MB per test \(maxHeapGrowthPerTest\)/,
      )
      assert.deepEqual(mergedReport.totals, whole.leakwatch.totals)
      assert.match(merged.stdout, / leakwatch {2}the suite grew past maxHeapGrowthPerTest: the run fails/)
    })

    test("the whole run's own files, split in those two parts and merged, give exactly its options, totals and suite", () => {
      const isSkipOnly = (file) => file.file === 'skip-only.test.js'
      const part = (files, name) => {
        const file = path.join(outDir, `growth-split-${name}.json`)
        writeFileSync(
          file,
          JSON.stringify(buildReport({ root: whole.leakwatch.root, sources: whole.leakwatch.sources, files })),
        )
        return file
      }
      const parts = [
        part(
          whole.leakwatch.files.filter((file) => !isSkipOnly(file)),
          'checked',
        ),
        part(whole.leakwatch.files.filter(isSkipOnly), 'skip-only'),
      ]
      const result = runCli(['merge', ...parts, '-o', 'growth-split-merged.json'])
      assert.equal(result.status, 1, result.stdout + result.stderr)
      const report = JSON.parse(readFileSync(path.join(outDir, 'growth-split-merged.json'), 'utf8'))
      for (const key of ['options', 'totals', 'suite', 'files'])
        assert.deepEqual(report[key], whole.leakwatch[key], key)
    })
  })
})

test('a report that cannot be built is a leakwatch bug: said so in one line, the stack only with LEAKWATCH_DEBUG=1', async () => {
  // A test module whose meta cannot be read: nothing a user does gets there, so it stands in for a bug of leakwatch.
  const broken = {
    moduleId: '/project/a.test.js',
    meta() {
      throw new Error('the meta is unreadable')
    },
  }
  const run = async (debug) => {
    const logged = []
    const reporter = new LeakwatchReporter({ json: false, html: false })
    const logger = {
      log: (text) => logged.push(['log', text]),
      warn: (text) => logged.push(['warn', text]),
      error: (text) => logged.push(['error', text]),
    }
    reporter.onInit({ config: { root: '/project', shard: undefined }, logger })
    const saved = { exitCode: process.exitCode, debug: process.env.LEAKWATCH_DEBUG }
    if (debug) process.env.LEAKWATCH_DEBUG = '1'
    else delete process.env.LEAKWATCH_DEBUG
    try {
      await reporter.onTestRunEnd([broken])
      return { logged, exitCode: process.exitCode }
    } finally {
      process.exitCode = saved.exitCode
      if (saved.debug === undefined) delete process.env.LEAKWATCH_DEBUG
      else process.env.LEAKWATCH_DEBUG = saved.debug
    }
  }
  const plainRun = await run(false)
  assert.equal(plainRun.exitCode, 1)
  assert.deepEqual(plainRun.logged, [
    [
      'error',
      'leakwatch/reporter: the report could not be made (a leakwatch bug: please report it): the meta is unreadable',
    ],
  ])
  const debugRun = await run(true)
  assert.equal(debugRun.logged.length, 2)
  assert.deepEqual(debugRun.logged[0], plainRun.logged[0])
  assert.match(
    debugRun.logged[1][1],
    /^Error: the meta is unreadable\n\s+at Object\.meta \(.*reporter\.test\.mjs:\d+:\d+\)\n\s+at fileRecord /,
  )
})

describe("the suite's fit pools the files: each its own intercept, one slope", () => {
  // Two workers' heaps: one starts at 10 MB, the other at 200 MB; both grow 100 KB per test. One line through all
  // the points would measure which worker ran what; the pooled fit measures the growth.
  const KB = 1024
  const file = (baseBytes) =>
    [0, 1, 2, 3].map((testIndex) => ({ testIndex, heapBytes: baseBytes + testIndex * 100 * KB }))

  test("the slope is each file's, whatever their heaps' sizes", () => {
    const fit = fitPooledGrowth([file(10 * 1024 * KB), file(200 * 1024 * KB)])
    assert.equal(Math.round(fit.slopeBytesPerTest), 100 * KB)
    assert.equal(fit.samples, 8)
    assert.equal(fit.files, 2)
    assert.ok(fit.r2 > 0.999)
  })

  test("files with one sample say nothing about a slope; a limit is judged from two samples beyond each file's first", () => {
    assert.deepEqual(fitPooledGrowth([[{ testIndex: 0, heapBytes: 5 }]]), {
      slopeBytesPerTest: 0,
      r2: 0,
      samples: 0,
      files: 0,
    })
    const twoPoints = [
      { testIndex: 0, heapBytes: 0 },
      { testIndex: 1, heapBytes: 4096 * KB },
    ]
    const tests = [{ name: 'a.test.js > t', heapDeltaBytes: 4096 * KB }]
    assert.equal(
      judgeSuiteGrowth({ files: [{ samples: twoPoints, testCount: 2 }], tests, maxHeapGrowthPerTest: KB }).error,
      null,
    )
    const judged = judgeSuiteGrowth({
      files: [1, 2, 3].map(() => ({ samples: twoPoints, testCount: 2 })),
      tests,
      maxHeapGrowthPerTest: KB,
    })
    assert.match(judged.error, /^suite: heap after GC grew 4\.19 MB per test/)
  })
})

test("without leakwatch's setup file, the reporter says nothing was checked rather than report a clean run", async () => {
  const run = await runWithReporter('reporter-unchecked', 'unchecked')
  assert.equal(run.exitCode, 0, run.output)
  assert.match(run.output, / leakwatch {2}no leaks in 0 tests checked \(1 not checked\)/)
  assert.match(
    run.output,
    /leakwatch\/reporter: 1 test file ran without leakwatch's setup file \(interval\.test\.js\): nothing in it was checked\. Add 'leakwatch\/vitest' to setupFiles\./,
  )
  const [file] = run.leakwatch.files
  assert.equal(file.allowed, true)
  assert.equal(file.tests[0].allowed, true)
  assert.equal(file.tests[0].heap, null)
})

test("the reporter's types and the task meta it reads compile, with tsc", () => {
  const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
  const result = spawnSync(
    process.execPath,
    [tsc, '-p', path.join(REPO_ROOT, '__test__', 'fixtures', 'reporter-types', 'tsconfig.json')],
    { encoding: 'utf8' },
  )
  assert.equal(result.status, 0, result.stdout + result.stderr)
})

test('the summary lists 10 leaky tests of a file and 30 in all, and counts the rest', () => {
  const leak = { kind: 'Interval', description: 'Interval every 5 ms', site: { file: 'a.test.js', line: 3, column: 5 } }
  const leakyTest = (i) => ({
    name: `case ${i}`,
    index: i,
    state: 'fail',
    failedByLeaks: true,
    failureReasons: ['leaks'],
    warned: false,
    allowed: false,
    leaks: [leak],
    leakCount: 1,
    leaksByKind: { Interval: 1 },
    leakGroups: [{ count: 1, description: leak.description, leak: 0 }],
    leakGroupCount: 1,
    warnings: [],
    heap: null,
  })
  const files = ['a', 'b', 'c', 'd'].map((name) => ({
    file: `${name}.test.js`,
    project: null,
    state: 'fail',
    failedByLeaks: false,
    failureReasons: [],
    warned: false,
    leaks: [],
    leakCount: 0,
    leaksByKind: {},
    leakGroups: [],
    leakGroupCount: 0,
    heap: null,
    warnings: [],
    options: null,
    tests: Array.from({ length: 15 }, (_, i) => leakyTest(i)),
  }))
  const summary = formatSummary(buildReport({ root: '/project', sources: [], files }))
  assert.equal(summary.match(/✗ case \d+ {2}1 leak; failed/g).length, 30)
  // a and b: 10 listed, 5 counted in their file; c: 10 more make 30, and its 5 left join d's 15 in the last line.
  assert.equal(summary.match(/^ {4}… and 5 more tests with leaks in this file: see the JSON report$/gm).length, 2)
  assert.doesNotMatch(summary, /d\.test\.js/)
  assert.match(summary, /^ {2}… and 20 more tests with leaks: see the JSON report$/m)
  assert.match(
    summary,
    /Totals: 4 files, 60 tests run; failed by leaks: 60 tests, 0 files; .* 60 leaks \(Interval 60\)/,
  )
})

describe('reporter options', () => {
  test('unknown keys and wrong types are a TypeError naming the key and what it accepts', () => {
    assert.throws(() => new LeakwatchReporter({ jsn: 'report.json' }), {
      name: 'TypeError',
      message: 'leakwatch/reporter: unknown option "jsn"; accepted options are json, html, summary',
    })
    assert.throws(() => new LeakwatchReporter({ summary: 'yes' }), {
      name: 'TypeError',
      message:
        'leakwatch/reporter: option "summary" must be true or false (print the end-of-run summary in the terminal); got the string "yes"',
    })
    assert.throws(
      () => new LeakwatchReporter({ html: '' }),
      /option "html" must be a path for the HTML report .*, or false for none; got the string ""/,
    )
    assert.throws(
      () => new LeakwatchReporter('report.json'),
      /the reporter's options must be an object \{ json\?, html\?, summary\? \}; got the string "report\.json"/,
    )
  })

  test('defaults: leakwatch-report.json and .html; under --shard, the shard in the names', () => {
    const reporter = new LeakwatchReporter()
    assert.deepEqual(reporter.options, { json: 'leakwatch-report.json', html: 'leakwatch-report.html', summary: true })
    reporter.onInit({ config: { shard: { index: 2, count: 3 } } })
    assert.deepEqual(reporter.options, {
      json: 'leakwatch-report-2-3.json',
      html: 'leakwatch-report-2-3.html',
      summary: true,
    })
    const explicit = new LeakwatchReporter({ json: 'out/lw.json', html: false, summary: false })
    explicit.onInit({ config: { shard: { index: 1, count: 2 } } })
    assert.deepEqual(explicit.options, { json: 'out/lw.json', html: false, summary: false })
  })
})
