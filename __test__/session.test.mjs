// TestFileSession, the runner-agnostic part of every adapter, driven directly with a real tracker: what a test's scope
// holds is let go when the scope ends, however it ends, and what a retried test kept for its next attempt is let go
// when the file ends. (How each runner shows the outcome is tested on real suites: behaviour, jest, node-test.)

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { TestFileSession } from '../js/core/test-file-session.js'
import { LeakTracker } from '../js/index.js'

/** node:test's own code: its timers and listeners, made in this process while a scope is active, are not leaks. */
const NODE_TEST_DIR = 'node:internal/test_runner/'

describe('a test file session', () => {
  /** @type {LeakTracker} */
  let tracker
  before(() => {
    tracker = new LeakTracker({ heap: 'off', listeners: false, settleMs: 20 })
    tracker.runnerDirs = [NODE_TEST_DIR]
    tracker.start()
  })
  after(() => tracker.stop())

  function newSession() {
    return new TestFileSession(tracker, { warn: () => {}, fileName: 'session.test.mjs' })
  }

  test('objects watched in a scope that ends without a check are dropped with the scope', async () => {
    const session = newSession()
    // A test that accepted its leaks: finishTest skips the check, which is what takes a scope's watched objects.
    const allowed = session.startTest('allowed')
    session.allowLeaks()
    session.watch({}, 'in an allowed test', test)
    await session.finishTest(allowed)
    assert.equal(tracker.watches.watched.length, 0, 'the allowed test left its watched object in the registry')
    // A scope a runner ends unchecked (node:test, after an afterEach hook that threw).
    const unchecked = session.startTest('ended unchecked')
    session.watch({}, 'in a test ended unchecked', test)
    session.endTest(unchecked)
    assert.equal(tracker.watches.watched.length, 0, 'the unchecked test left its watched object in the registry')
    // The file's own, when the whole file opted out.
    session.allowLeaks()
    session.watch({}, 'at module level', test)
    await session.finishFile()
    assert.equal(tracker.watches.watched.length, 0, 'the allowed file left its watched object in the registry')
  })

  test('what a retried test left open is reported by its next attempt; what it kept is dropped when the file ends', async () => {
    const session = newSession()
    const attempt = {}
    let interval
    try {
      const first = session.startTest('retried', null, attempt)
      interval = setInterval(() => {}, 52_000)
      const firstOutcome = await session.finishTest(first, { figures: false })
      assert.match(firstOutcome.error?.message ?? '', /Interval every 52000 ms/)
      assert.equal(session.leftByAttempt.size, 1)
      // Another test in between is not blamed for it.
      const other = session.startTest('another test')
      assert.equal((await session.finishTest(other, { figures: false })).error, null)
      const second = session.startTest('retried', null, attempt)
      const secondOutcome = await session.finishTest(second, { figures: false })
      assert.match(
        secondOutcome.error?.message ?? '',
        /Interval every 52000 ms[^]*note: left open by an earlier attempt of this test \(retry\)/,
      )
      // Kept again for a third attempt, until the file ends: then dropped, and not reported a second time.
      assert.equal(session.leftByAttempt.size, 1)
      const file = await session.finishFile()
      assert.equal(session.leftByAttempt.size, 0, 'the file still holds what the last attempt left')
      assert.equal(file.error, null, file.error?.message)
    } finally {
      clearInterval(interval)
    }
  })

  test('an attempt that closed what the earlier one left open passes', async () => {
    const session = newSession()
    const attempt = {}
    const first = session.startTest('retried', null, attempt)
    const interval = setInterval(() => {}, 53_000)
    assert.notEqual((await session.finishTest(first, { figures: false })).error, null)
    const second = session.startTest('retried', null, attempt)
    clearInterval(interval)
    assert.equal((await session.finishTest(second, { figures: false })).error, null)
    assert.equal(session.leftByAttempt.size, 0)
    await session.finishFile()
  })
})
