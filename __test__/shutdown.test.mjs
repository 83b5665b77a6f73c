// assertCleanShutdown(): a real service (Fastify routes, a ws hub with a heartbeat, a client socket to a Redis-like
// cache server, a SIGTERM handler) is stopped and audited in a plain node script, in vitest tests and in node:test
// tests; a smaller one (a TCP server and a heartbeat) in jest tests, CommonJS and ES module. A stop() that closes everything passes; one that forgets its interval, its cache socket and its SIGTERM
// handler is reported with the line that created each, and only once.

import assert from 'node:assert/strict'
import path from 'node:path'
import { before, describe, test } from 'node:test'
import { assertCleanShutdown } from 'leakwatch'
import { runJest } from './helpers/run-jest.mjs'
import { runNode } from './helpers/run-node.mjs'
import { runNodeTest } from './helpers/run-node-test.mjs'
import { FIXTURES, lineOf, plain, runVitest } from './helpers/run-vitest.mjs'

const FIXTURE = 'shutdown'
const DIR = path.join(FIXTURES, FIXTURE)
const HEADING = 'shutdown left 2 resources open and 1 listener attached'

/** The three things the leaky stop() forgets, each with the line of the service that created it. */
function assertForgottenThree(message) {
  const line = (marker) => lineOf(FIXTURE, 'service.mjs', marker)
  assert.match(message, /● TCP socket 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+ {2}\(keeps the process alive\)/)
  assert.match(
    message,
    new RegExp(`created at CacheClient\\.connect \\(service\\.mjs:${line('leak:cache-socket')}:\\d+\\)`),
  )
  assert.match(message, /● Interval every 30000 ms {2}\(keeps the process alive\)/)
  assert.match(message, new RegExp(`created at Object\\.start \\(service\\.mjs:${line('leak:heartbeat')}:\\d+\\)`))
  assert.match(message, /● listener for "SIGTERM" on process {2}\(still attached: the emitter outlives the service\)/)
  assert.match(message, new RegExp(`created at Object\\.start \\(service\\.mjs:${line('leak:sigterm')}:\\d+\\)`))
  assert.match(message, /Fix: the service's stop\(\) should close each of these/)
  assert.doesNotMatch(message, /before the test ends/)
  // Nothing else: what the stop() closed (the Fastify server, the ws hub, the client connections) is not there.
  assert.doesNotMatch(message, /TCP server|Timeout after/)
}

describe('a plain node script, no test runner', () => {
  test('a stop() that closes everything resolves with a summary', async () => {
    const { exitCode, stdout, stderr } = await runNode(['plain-clean.mjs'], { cwd: DIR, timeoutMs: 60_000 })
    assert.equal(exitCode, 0, stderr)
    const { used, summary } = JSON.parse(stdout)
    // The service really ran: its route answered through the cache socket, its WebSocket hub greeted a client.
    assert.deepEqual(used, { body: { cache: '+PONG' }, greeting: 'hello' })
    assert.ok(summary.tracked > 5, `the audit saw ${summary.tracked} resources and listeners`)
    assert.deepEqual(summary.stillOpen, {})
    assert.equal(typeof summary.stopMs, 'number')
  })

  test('a stop() that forgets three things rejects: the script dies of the LeakError, each named at its line', async () => {
    const { exitCode, stdout, stderr } = await runNode(['plain-leaky.mjs'], { cwd: DIR, timeoutMs: 60_000 })
    assert.equal(exitCode, 1, stderr)
    assert.equal(stdout, '', 'the script went on after the audit')
    assert.ok(stderr.includes(`LeakError: ${HEADING}\n`), stderr)
    assertForgottenThree(stderr)
  })
})

describe('bad input gets a clear error', () => {
  test('not a function', async () => {
    await assert.rejects(assertCleanShutdown(42), {
      name: 'TypeError',
      message:
        'leakwatch: assertCleanShutdown() takes the function that stops the service (sync or async), e.g. () => server.stop(); got the number 42',
    })
  })

  test('unknown and mistyped options', async () => {
    await assert.rejects(
      assertCleanShutdown(() => {}, { settle: 10 }),
      {
        name: 'TypeError',
        message:
          'leakwatch: unknown assertCleanShutdown() option "settle"; accepted options are name, settleMs, kinds, reportUnref, ignore',
      },
    )
    await assert.rejects(
      assertCleanShutdown(() => {}, { settleMs: -1 }),
      /option "settleMs" must be a number of milliseconds from 0 to 60000; got the number -1/,
    )
    await assert.rejects(
      assertCleanShutdown(() => {}, { name: '' }),
      /option "name" must be a non-empty string/,
    )
    await assert.rejects(
      assertCleanShutdown(() => {}, 'fast'),
      /options must be an object \{ name, settleMs, kinds, reportUnref, ignore \}; got the string "fast"/,
    )
  })

  test('nothing tracked: it refuses rather than pass an audit that saw nothing, and does not call the stop', async () => {
    let stopped = false
    await assert.rejects(
      assertCleanShutdown(() => (stopped = true)),
      /can only audit what it saw being opened, and nothing is being tracked[^]*call trackResources\(\)/,
    )
    // Under jest, "leakwatch" itself is a second core nobody started: the message says where to take it from.
    await assert.rejects(
      assertCleanShutdown(() => {}),
      /under jest,\s+list leakwatch\/jest in setupFilesAfterEnv and take assertCleanShutdown from "leakwatch\/jest"/,
    )
    assert.equal(stopped, false)
  })
})

describe('inside vitest tests (leakwatch/vitest)', () => {
  let run
  before(async () => {
    run = await runVitest(FIXTURE)
  })
  const result = (name) => {
    const found = run.tests.get(`vitest/shutdown.test.js > ${name}`)
    assert.ok(found, `no result for ${name}; have:\n${[...run.tests.keys()].join('\n')}\n${run.output}`)
    return found
  }

  test('a stop() that closes everything passes', () => {
    const { status, message } = result('a stop() that closes everything passes the audit')
    assert.equal(status, 'passed', message)
  })

  test('a stop() that forgets three things fails the test with the audit report, and only with it', () => {
    const { status, message } = result('a stop() that forgets three things fails the test, once')
    assert.equal(status, 'failed')
    assert.ok(message.startsWith(`LeakError: ${HEADING}\n`), message)
    assertForgottenThree(message)
    // The test's own check, after it, found the same three marked reported: one LeakError, no `test "..." left`.
    assert.equal(message.split('LeakError:').length, 2, message)
    assert.doesNotMatch(message, /test ".*" left/)
  })

  test('a caught audit report: the test passes, its end check does not report the leaks again, and the file is clean', () => {
    const { status, message } = result(
      'the audit report, caught: the test passes, and its own check does not report the leaks again',
    )
    assert.equal(status, 'passed', message)
    const file = run.report.testResults.find((entry) => entry.name.endsWith('shutdown.test.js'))
    assert.equal(file.message ?? '', '', 'the file failed on its own')
  })
})

describe('inside node:test tests (leakwatch/node-test)', () => {
  let run
  before(async () => {
    run = await runNodeTest(DIR, ['node-test/shutdown.test.mjs', 'node-test/file-level.test.mjs'])
  })
  const result = (name) => {
    const found = run.tests.get(`node-test/shutdown.test.mjs > ${name}`)
    assert.ok(found, `no result for ${name}; have:\n${[...run.tests.keys()].join('\n')}\n${run.stderr}`)
    return found
  }

  test('a stop() that closes everything passes', () => {
    const { type, error } = result('a stop() that closes everything passes the audit')
    assert.equal(type, 'test:pass', error?.message)
  })

  test('a stop() that forgets three things fails the test with the audit report, thrown by the test itself', () => {
    const { type, error } = result('a stop() that forgets three things fails the test, once')
    assert.equal(type, 'test:fail')
    assert.equal(error.name, 'LeakError')
    assert.equal(error.failureType, 'testCodeFailure')
    assert.ok(error.message.startsWith(`${HEADING}\n`), error.message)
    assertForgottenThree(error.message)
    // No second report of the same leaks by leakwatch's check at the end of the test.
    const index = run.events.findIndex(
      (event) => event.type === 'test:fail' && event.name === 'a stop() that forgets three things fails the test, once',
    )
    assert.notEqual(run.events[index + 1]?.type, 'test:diagnostic', 'the end-of-test check reported them again')
  })

  test('a caught audit report: the test passes, and the file is clean', () => {
    const { type, error } = result(
      'the audit report, caught: the test passes, and its own check does not report the leaks again',
    )
    assert.equal(type, 'test:pass', error?.message)
    assert.equal(run.tests.get('node-test/shutdown.test.mjs > (file)'), undefined, 'the file failed on its own')
    assert.equal(run.killed, false)
    assert.equal(run.exitCode, 1, run.stderr)
  })

  test("in a file-level after() hook it audits what the file opened (before()); the file's own checks pass", () => {
    const { type, error } =
      run.tests.get('node-test/file-level.test.mjs > the service started in before() answers') ?? {}
    assert.equal(type, 'test:pass', error?.message)
    // The audit (and its assertions on the summary) ran in after(): a failure there fails the file.
    const file = run.tests.get('node-test/file-level.test.mjs > (file)')
    assert.equal(file, undefined, file?.error?.message)
  })
})

describe('inside jest tests (assertCleanShutdown from leakwatch/jest)', () => {
  let run
  before(async () => {
    // One run for both test files: the ES module one needs the flag, the CommonJS one does not mind it.
    run = await runJest('shutdown/jest', { env: { NODE_OPTIONS: '--experimental-vm-modules' } })
  })
  const result = (key) => {
    const found = run.tests.get(key)
    assert.ok(found, `no result for ${key}; have:\n${[...run.tests.keys()].join('\n')}\n${run.output}`)
    return found
  }
  const heartbeatLine = () => lineOf(FIXTURE, 'jest/small-service.cjs', 'leak:jest-heartbeat')

  for (const [file, flavour] of [
    ['audit.test.js', 'CommonJS'],
    ['audit-esm.test.mjs', 'ES module'],
  ]) {
    test(`${flavour}: a clean stop() passes; one that forgets its heartbeat fails the test with the audit report, once`, () => {
      const clean = result(`${file} > a stop() that closes everything passes the audit (${flavour})`)
      assert.equal(clean.status, 'passed', clean.message)
      const { status, message } = result(
        `${file} > a stop() that forgets its heartbeat fails the test, once (${flavour})`,
      )
      assert.equal(status, 'failed')
      assert.ok(message.startsWith('LeakError: shutdown left 1 resource open\n'), message)
      assert.match(message, /● Interval every 30000 ms {2}\(keeps the process alive\)/)
      assert.match(
        message,
        new RegExp(`created at (?:Object\\.)?startSmallService \\(small-service\\.cjs:${heartbeatLine()}:\\d+\\)`),
      )
      // The test's own check found the interval reported by the audit: no second report.
      assert.equal(message.split('LeakError:').length, 2, message)
      assert.doesNotMatch(message, /test ".*" left/)
    })
  }

  test('a caught audit report is a LeakError with its leaks; the files are clean as files', () => {
    const caught = result('audit.test.js > the audit report, caught, is a LeakError listing the interval (CommonJS)')
    assert.equal(caught.status, 'passed', caught.message)
    for (const file of run.report.testResults)
      assert.doesNotMatch(plain(file.message), /Test suite failed to run|file \S+ \(module level/)
    assert.equal(run.report.numTotalTests, 5)
  })
})
