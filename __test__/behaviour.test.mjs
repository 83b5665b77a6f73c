// How leakwatch/vitest behaves around the edges of a test: late closes, unref'd handles, beforeAll/afterAll,
// expectNoLeaks, allowLeaks, attribution to the right test, resourceDelta and the JSON reporter's meta, a test that
// already fails, keep-alive connections of a shared server, resources created by a test's callbacks after the
// test body returned, and retries. One vitest run of __test__/fixtures/behaviour; each test below asserts on its
// outcome.

import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import { fixtureAssertions, lineOf, plain, runVitest } from './helpers/run-vitest.mjs'

const FIXTURE = 'behaviour'

/** @type {Awaited<ReturnType<typeof runVitest>>} */
let run

before(async () => {
  run = await runVitest(FIXTURE)
})

const { result, assertPassed, assertLeaked, fileResult } = fixtureAssertions(FIXTURE, () => run)

describe('behaviour', () => {
  test('vitest exits with 1 (there are failing tests) and did not crash', () => {
    assert.equal(run.exitCode, 1, run.output)
    assert.doesNotMatch(
      run.output,
      /segmentation fault|Worker exited unexpectedly|Unhandled Rejection|Unhandled Error/i,
    )
  })

  test('(a) a client socket closed ~20 ms after the test body returned is not a leak', () => {
    assertPassed('late-close.test.js', 'client socket closed 20 ms after the test returns')
    const meta = result('late-close.test.js', 'client socket closed 20 ms after the test returns').meta.leakwatch
    // Both ends of the connection were tracked in the test, and both were closed by the time of the check.
    assert.equal(meta.created['TCP socket'], 2)
    assert.deepEqual(meta.handles, {})
  })

  test("(b) unref'd interval and unref'd server pass", () => {
    assertPassed('unref.test.js', "unref'd interval")
    assertPassed('unref.test.js', "unref'd server")
    assert.equal(result('unref.test.js', "unref'd interval").meta.leakwatch.created.Interval, 1)
  })

  test('(c) a server from beforeAll closed in afterAll passes, at test and file level', () => {
    assertPassed('before-all-clean.test.js', 'uses the shared server')
    assertPassed('before-all-clean.test.js', 'uses it again')
    const file = fileResult('before-all-clean.test.js')
    assert.equal(file.status, 'passed')
    assert.equal(file.message, '')
  })

  test('(c) a server from beforeAll never closed fails the file, not its test', () => {
    assertPassed('before-all-leak.test.js', 'uses the never-closed server')
    const file = fileResult('before-all-leak.test.js')
    assert.equal(file.status, 'failed')
    const message = plain(file.message)
    assert.ok(
      message.startsWith('file before-all-leak.test.js (module level and beforeAll) left 1 resource open'),
      message,
    )
    assert.match(message, /TCP server listening on 127\.0\.0\.1:\d+/)
    const line = lineOf(FIXTURE, 'before-all-leak.test.js', '// leak:before-all-server')
    assert.match(message, new RegExp(`created at before-all-leak\\.test\\.js:${line}:\\d+`))
    assert.ok(message.includes('close them in afterAll'), message)
    assert.ok(
      run.output.includes('LeakError: file before-all-leak.test.js (module level and beforeAll) left 1 resource open'),
      'the file-level leak is not in the console output',
    )
  })

  test('(d) expectNoLeaks(fn) rejects for a leak inside a passing test, and resolves for a clean fn', () => {
    // The fixture asserts the rejection message itself (subject, description, line); the test passing shows it held.
    assertPassed('expect-no-leaks.test.js', 'expectNoLeaks(fn) rejects for a leaky fn')
    assertPassed('expect-no-leaks.test.js', 'expectNoLeaks(fn) resolves for a clean fn')
    assert.equal(lineOf(FIXTURE, 'expect-no-leaks.test.js', '// leak:expect-fn'), 9, 'the fixture hard-codes line 9')
  })

  test('(d) expectNoLeaks() without fn throws mid-test when something is open', () => {
    const message = assertLeaked('expect-no-leaks.test.js', 'expectNoLeaks() without fn throws mid-test', {
      description: 'TCP server listening on 127.0.0.1:',
      marker: '// leak:expect-mid',
    })
    // It threw before expect.unreachable(), and only once: the end-of-test check did not report it again.
    assert.doesNotMatch(message, /should have thrown/)
    assert.equal(message.match(/left 1 resource open/g).length, 1, message)
    assertPassed('expect-no-leaks.test.js', 'expectNoLeaks() without fn passes when nothing is open')
  })

  test('(e) allowLeaks() makes a leaky test pass, and only that test', () => {
    assertPassed('allow-leaks.test.js', 'allowed leak')
    assert.equal(result('allow-leaks.test.js', 'allowed leak').meta.leakwatch.allowed, true)
    assertLeaked('allow-leaks.test.js', 'not allowed after', {
      description: 'Timeout after 60000 ms',
      marker: '// leak:after-allowed',
    })
  })

  test('(f) the leak is attributed to the test that leaked, not to the next one', () => {
    assertLeaked('attribution.test.js', 'leaks a timeout', {
      description: 'Timeout after 60000 ms',
      marker: '// leak:attribution',
    })
    assertPassed('attribution.test.js', 'clean test after the leaky one')
    assert.deepEqual(result('attribution.test.js', 'clean test after the leaky one').meta.leakwatch.leaks, [])
  })

  test('(g) resourceDelta() counts open handles and created resources by kind', () => {
    // The fixture asserts handles['TCP server'] === 1 and created counts while the server is open, {} after.
    assertPassed('delta.test.js', 'resourceDelta counts what is open and what was created')
    assertPassed('delta.test.js', 'resourceDelta says how much the heap grew since the test began')
    const meta = result('delta.test.js', 'resourceDelta counts what is open and what was created').meta.leakwatch
    assert.equal(meta.created['TCP server'], 1)
    assert.equal(meta.created.Interval, 1)
    // vitest's own timer for the test's timeout is the runner's, not counted as the test's (nor recorded).
    assert.equal(meta.created.Timeout, undefined, JSON.stringify(meta.created))
    assert.deepEqual(meta.handles, {})
    assert.deepEqual(meta.leaks, [])
  })

  test("(g) the JSON reporter's meta.leakwatch of a leaky test lists the leak with kind and site", () => {
    assertLeaked('delta.test.js', 'leaky test for meta', {
      description: 'Interval every 30000 ms',
      marker: '// leak:meta-interval',
    })
    const meta = result('delta.test.js', 'leaky test for meta').meta.leakwatch
    assert.equal(meta.leaks.length, 1)
    assert.equal(meta.leaks[0].kind, 'Interval')
    assert.equal(meta.leaks[0].description, 'Interval every 30000 ms')
    assert.equal(meta.leaks[0].site.file, 'delta.test.js')
    assert.equal(meta.leaks[0].site.line, lineOf(FIXTURE, 'delta.test.js', '// leak:meta-interval'))
    assert.equal(meta.leaks[0].hasRef, true)
    assert.equal(meta.created.Interval, 1)
    assert.equal(meta.allowed, false)
  })

  test('(h) a test failing for another reason that also leaks shows both errors', () => {
    const message = assertLeaked('already-failing.test.js', 'fails an assertion and leaks', {
      description: 'Timeout after 60000 ms',
      marker: '// leak:already-failing',
    })
    assert.match(message, /AssertionError: expected 2 to be 3/)
    assert.ok(message.indexOf('AssertionError') < message.indexOf('LeakError'), 'the assertion comes first')
  })

  test("(i) a keep-alive connection accepted by a shared beforeAll server is not the test's leak", () => {
    // The fixture asserts the server still holds the connection when the test ends.
    assertPassed('shared-server.test.js', 'keep-alive request to the shared server')
    assert.equal(fileResult('shared-server.test.js').status, 'passed')
    const meta = result('shared-server.test.js', 'keep-alive request to the shared server').meta.leakwatch
    // The client end is the test's; the end the server accepted is the shared server's, in the file's scope (it is
    // made in no test's async context).
    assert.equal(meta.created['TCP socket'], 1, 'the test made the client end only')
  })

  test("(j) an interval started by a test's timer after the body returned is that test's leak", () => {
    const message = assertLeaked('timer-callback.test.js', 'interval started from a timer after the body returned', {
      description: 'Interval every 30000 ms',
      marker: '// leak:late-interval',
    })
    assert.doesNotMatch(message, /Timeout after 20 ms/)
    assertPassed('timer-callback.test.js', 'next test is clean')
    // Not pushed to the file either.
    assert.equal(fileResult('timer-callback.test.js').message, '')
  })

  test('(k) a retry cannot hide a leak: the next attempt reports what an earlier one left open, noting why', () => {
    const note = 'note: left open by an earlier attempt of this test (retry): the retry cannot pass while it is open'
    const leaky = assertLeaked('retry.test.js', 'leaks on its first attempt only', {
      description: '● Interval every 51000 ms',
      marker: '// leak:first-attempt',
    })
    assert.ok(leaky.includes(note), leaky)
    // An attempt that failed for another reason and left its server open: the retry that passes on its own fails.
    const flaky = assertLeaked('retry.test.js', 'fails on its first attempt, leaving its server open', {
      description: 'TCP server listening on 127.0.0.1:',
      marker: '// leak:flaky-server',
    })
    assert.ok(flaky.includes('flaky on the first attempt'), flaky)
    assert.ok(flaky.includes(note), flaky)
    // What the earlier attempt left and the retry closed is dropped; nothing is carried to the next test or the file.
    assertPassed('retry.test.js', 'fails on its first attempt; the retry closes what it left')
    assertPassed('retry.test.js', 'the test after them is clean')
    assert.equal(fileResult('retry.test.js').message, '')
  })

  test('no observer effect: what a test closed or removed is collected as without leakwatch', () => {
    for (const name of [
      'a closed server is collected, attempt 1',
      'a closed server is collected, attempt 2',
      'a closed server is collected, attempt 3',
      'a closed client socket and its server are collected',
      'what a removed process listener held is collected',
      'a cleared interval and what its callback held are collected',
      'a closed TLS connection is collected, and its end check copes with its records gone',
    ]) {
      assertPassed('observer.test.js', name)
    }
  })

  test('no other test result than the fixture tests above', () => {
    assert.equal(run.tests.size, 32, [...run.tests.keys()].join('\n'))
    const failed = [...run.tests].filter(([, value]) => value.status === 'failed').map(([key]) => key)
    assert.deepEqual(failed.sort(), [
      'allow-leaks.test.js > not allowed after',
      'already-failing.test.js > fails an assertion and leaks',
      'attribution.test.js > leaks a timeout',
      'delta.test.js > leaky test for meta',
      'expect-no-leaks.test.js > expectNoLeaks() without fn throws mid-test',
      'retry.test.js > fails on its first attempt, leaving its server open',
      'retry.test.js > leaks on its first attempt only',
      'timer-callback.test.js > interval started from a timer after the body returned',
    ])
  })
})
