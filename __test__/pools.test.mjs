// The same small suite under each of vitest's Node pools, with and without isolation: forks and threads, each with
// --isolate (a fresh worker per file) and --no-isolate (workers reused across files, the tracker and its async hook
// shared), and vmThreads and vmForks (each file in a vm context, workers reused; on Node 20 the context's
// AbortController is read-only). Every configuration must give the same outcome, and vitest must end normally (exit 1
// for the failures).

import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import { lineOf, runVitest } from './helpers/run-vitest.mjs'

const FIXTURE = 'pools'

/** Each file's leaky test, what it leaks and where; each file also has a clean twin that must pass. */
const CASES = [
  {
    file: 'server.test.js',
    leaky: 'leaky server',
    clean: 'clean server',
    description: /TCP server listening on 127\.0\.0\.1:\d+/,
    marker: '// leak:server',
  },
  {
    file: 'socket.test.js',
    leaky: 'leaky client socket',
    clean: 'clean client socket',
    description: /TCP socket 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+/,
    marker: '// leak:socket',
  },
  {
    file: 'interval.test.js',
    leaky: 'leaky interval',
    clean: 'clean interval',
    description: /Interval every 30000 ms/,
    marker: '// leak:interval',
  },
  {
    file: 'child-process.test.js',
    leaky: 'leaky child process',
    clean: 'clean child process',
    description: /Child process pid \d+ \(\S*node -e setTimeout\(\(\) => \{\}, 20000\)\)/,
    marker: '// leak:child',
  },
  {
    file: 'abort-signal.test.js',
    leaky: 'leaky abort listener',
    clean: 'clean abort listener',
    description: /listener for "abort" on AbortSignal/,
    marker: '// leak:abort',
    left: '1 listener attached',
  },
]

const CONFIGS = [
  { pool: 'forks', isolate: true },
  { pool: 'forks', isolate: false },
  { pool: 'threads', isolate: true },
  { pool: 'threads', isolate: false },
  { pool: 'vmThreads' },
  { pool: 'vmForks' },
]

for (const { pool, isolate } of CONFIGS) {
  const isolation = isolate === undefined ? [] : [isolate ? '--isolate' : '--no-isolate']
  const args = [`--pool=${pool}`, ...isolation, '--maxWorkers=2']

  describe(`vitest ${args.join(' ')}`, () => {
    /** @type {Awaited<ReturnType<typeof runVitest>>} */
    let run

    before(async () => {
      run = await runVitest(FIXTURE, { args, timeoutMs: 60_000 })
    })

    test('vitest ends normally: exit code 1 for the failures, no crash', () => {
      assert.equal(run.exitCode, 1, run.output)
      assert.doesNotMatch(
        run.output,
        /segmentation fault|Worker exited unexpectedly|SIGSEGV|SIGABRT|Unhandled Error|Unhandled Rejection/i,
      )
      assert.match(run.output, /Test Files {2}5 failed \(5\)/)
      assert.match(run.output, /Tests {2}5 failed \| 5 passed \(10\)/)
      assert.equal(run.tests.size, 10)
      // Every global leakwatch wraps could be replaced: nothing went unchecked.
      assert.doesNotMatch(run.output, /not checked in this worker/)
    })

    test(isolate ? 'each file ran in a worker of its own' : 'workers were reused across files', () => {
      const workers = CASES.map(({ file, clean }) => run.tests.get(`${file} > ${clean}`)?.meta?.worker)
      assert.ok(workers.every(Boolean), `a clean twin recorded no worker: ${workers}`)
      const distinct = new Set(workers).size
      if (isolate) assert.equal(distinct, CASES.length, `workers: ${workers}`)
      else assert.ok(distinct < CASES.length, `no worker ran two files: ${workers}`)
    })

    for (const { file, leaky, clean, description, marker, left = '1 resource open' } of CASES) {
      test(`${file}: "${leaky}" fails with its leak, "${clean}" passes`, () => {
        const failed = run.tests.get(`${file} > ${leaky}`)
        assert.ok(failed, `no result for ${file} > ${leaky}`)
        assert.equal(failed.status, 'failed')
        assert.ok(failed.message.startsWith(`LeakError: test "${leaky}" left ${left}`), failed.message)
        assert.match(failed.message, description)
        const line = lineOf(FIXTURE, file, marker)
        assert.match(
          failed.message,
          new RegExp(`created at ${file.replace(/\./g, '\\.')}:${line}:\\d+`),
          failed.message,
        )
        assert.equal(failed.meta.leakwatch.leaks.length, 1)
        assert.equal(failed.meta.leakwatch.leaks[0].site.line, line)

        const passed = run.tests.get(`${file} > ${clean}`)
        assert.ok(passed, `no result for ${file} > ${clean}`)
        assert.equal(passed.status, 'passed', passed.message)
        assert.deepEqual(passed.meta.leakwatch.leaks, [])
      })
    }

    test("no file-level failure: the leaks are the tests', and afterAll cleans up after them", () => {
      for (const file of run.report.testResults) assert.equal(file.message, '', `${file.name}: ${file.message}`)
    })
  })
}
