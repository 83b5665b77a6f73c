// vitest runs each test in its own async context: concurrent tests, a test that goes on after it timed out, an
// un-awaited listen() are each blamed on the test whose code made the resource, and on no other.

import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import { lineOf, runVitest } from './helpers/run-vitest.mjs'

describe('concurrent tests', () => {
  let run
  before(async () => {
    run = await runVitest('concurrent')
  })

  test('clean concurrent tests pass while their neighbours still hold servers', () => {
    for (const name of ['quick clean', 'slow clean', 'slowest clean']) {
      const result = run.tests.get(`concurrent.test.js > clean tests running at the same time ${name}`)
      assert.equal(result?.status, 'passed', `${name}: ${result?.message}\n${run.output}`)
    }
  })

  test("ten concurrent tests that each serve one request pass: Node's listeners on a neighbour's request are not theirs", () => {
    for (const kind of ['http.get', 'fetch']) {
      for (let index = 0; index < 5; index++) {
        const result = run.tests.get(
          `concurrent.test.js > ten concurrent tests, each a server and one request ${kind} ${index}`,
        )
        assert.equal(result?.status, 'passed', `${kind} ${index}: ${result?.message}\n${run.output}`)
      }
    }
  })

  test('a leak among concurrent tests fails exactly the test that made it, at its line, with no doubt about it', () => {
    const names = ['concurrent leak', 'concurrent neighbour', 'concurrent late neighbour']
    const results = names.map((name) =>
      run.tests.get(`concurrent.test.js > one of three concurrent tests leaks ${name}`),
    )
    assert.deepEqual(
      results.map((result) => result?.status),
      ['failed', 'passed', 'passed'],
      run.output,
    )
    const line = lineOf('concurrent', 'concurrent.test.js', 'leak:concurrent')
    assert.match(results[0].message, /Interval every 45000 ms/)
    assert.match(results[0].message, new RegExp(`created at (?:\\S+ \\()?concurrent\\.test\\.js:${line}:`))
    assert.doesNotMatch(results[0].message, /tests ran concurrently/)
  })

  test("allowLeaks() in a concurrent test accepts its caller's leak and not its neighbour's", () => {
    const caller = run.tests.get(
      'allow.test.js > allowLeaks() beside a leaky neighbour calls allowLeaks() while its neighbour runs',
    )
    assert.equal(caller?.status, 'passed', caller?.message ?? run.output)
    const neighbour = run.tests.get(
      'allow.test.js > allowLeaks() beside a leaky neighbour leaks while its neighbour calls allowLeaks()',
    )
    assert.equal(neighbour?.status, 'failed', 'the neighbour leaked and passed')
    assert.match(neighbour.message, /Interval every 47000 ms/)
    assert.doesNotMatch(neighbour.message, /46000/)
    assert.match(
      neighbour.message,
      new RegExp(
        `created at (?:\\S+ \\()?allow\\.test\\.js:${lineOf('concurrent', 'allow.test.js', 'leak:beside-allow')}:`,
      ),
    )
  })

  test('watch(), resourceDelta() and expectNoLeaks() act on the concurrent test that calls them', () => {
    // The fixture asserts each call's result; it passes only if they all held.
    const calls = run.tests.get(
      'calls.test.js > the other calls beside a neighbour watch(), resourceDelta() and expectNoLeaks() act on their caller',
    )
    assert.equal(calls?.status, 'passed', calls?.message ?? run.output)
    assert.equal(run.tests.get('calls.test.js > the other calls beside a neighbour partner')?.status, 'passed')
  })

  test('an un-awaited listen(0, host) fails the test that called it, once its handle exists, and not the next test', () => {
    const caller = run.tests.get('late.test.js > listen(0, host) not awaited')
    assert.equal(caller?.status, 'failed', run.output)
    assert.match(caller.message, /TCP server listening on 127\.0\.0\.1:\d+|TCP server listening on \[::1\]:\d+/)
    assert.match(
      caller.message,
      new RegExp(`late\\.test\\.js:${lineOf('concurrent', 'late.test.js', 'leak:unawaited-listen')}:`),
    )
    const next = run.tests.get('late.test.js > after the un-awaited listen')
    assert.equal(next?.status, 'passed', next?.message)
  })

  test('a test that times out and goes on to open a server does not fail the test running then', () => {
    const timedOut = run.tests.get('late.test.js > times out, then opens a server')
    // It fails for its timeout (and for its own pending timer, open when it was checked), not for the server.
    assert.equal(timedOut?.status, 'failed')
    assert.doesNotMatch(timedOut.message, /TCP server/)
    const next = run.tests.get('late.test.js > after the timed-out test')
    assert.equal(next?.status, 'passed', next?.message)
    // Its server, closed by the file's afterAll, leaves the file clean.
    const file = run.report.testResults.find((result) => result.name.endsWith('late.test.js'))
    assert.equal(file.status, 'failed', 'the file has failing tests')
    assert.doesNotMatch(file.message ?? '', /LeakError/)
  })
})
