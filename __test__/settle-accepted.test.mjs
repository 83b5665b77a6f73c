// The settle window waits for what may still close, not for what the options accept whether it closes or not: a
// library's by-design process handler, the test runner's own stream listener, a user's ignore rule. Such a listener
// used to hold every test that had one to the end of the window (100 ms by default, per test). What the options do
// not accept is still waited for; and a rule that needs the leak described (its description, its site) is judged
// once the window is over, as before.

import assert from 'node:assert/strict'
import { performance } from 'node:perf_hooks'
import { after, before, test } from 'node:test'
import { LeakTracker } from '../js/index.js'

/** node:test's own code: its timers and listeners, made in this process while a scope is active, are not leaks. */
const NODE_TEST_DIR = 'node:internal/test_runner/'
/** The longest window there is: a check that waited it out would outlive the race below by far. */
const WHOLE_WINDOW_MS = 60_000
/** What the check races against: much shorter than the window, far longer than a check that does not wait. */
const RACE_MS = 10_000

/** @type {LeakTracker} */
let tracker
const onExit = () => {}
const onSignal = () => {}

before(() => {
  tracker = new LeakTracker({
    heap: 'off',
    settleMs: WHOLE_WINDOW_MS,
    ignore: [{ kind: 'Listener', emitter: /^process$/, event: 'exit', reason: 'flushes logs once per process' }],
  })
  tracker.runnerDirs = [NODE_TEST_DIR]
  tracker.start()
})
after(() => {
  tracker.stop()
  process.removeListener('exit', onExit)
  process.removeListener('SIGUSR2', onSignal)
})

/** The check of `scope`, or 'window' if it was still waiting after RACE_MS. */
async function checkOrWindow(scope) {
  let timer
  const window = new Promise((resolve) => {
    timer = setTimeout(() => resolve('window'), RACE_MS)
  })
  try {
    return await Promise.race([tracker.checkTest(scope, scope.subject), window])
  } finally {
    clearTimeout(timer)
  }
}

test('a listener an ignore rule accepts does not hold the check to the end of the settle window', async () => {
  const scope = tracker.openScope('adds an accepted exit handler', null, { activate: false })
  tracker.runInScope(scope, () => process.on('exit', onExit))
  try {
    const check = await checkOrWindow(scope)
    assert.notEqual(check, 'window', 'the check waited on for a listener its options accept')
    assert.deepEqual(check.leaks, [])
  } finally {
    process.removeListener('exit', onExit)
    tracker.release(scope)
  }
})

test('beside it, a listener the options do not accept is still waited for, and not reported once removed', async () => {
  const scope = tracker.openScope('adds two handlers, removes one soon after', null, { activate: false })
  tracker.runInScope(scope, () => {
    process.on('exit', onExit)
    process.on('SIGUSR2', onSignal)
  })
  // Removed after the test ended, within the window: the window is there for exactly this.
  const removal = setTimeout(() => process.removeListener('SIGUSR2', onSignal), 50)
  try {
    const check = await checkOrWindow(scope)
    assert.notEqual(check, 'window', 'the check waited on for the accepted listener once the other was removed')
    assert.deepEqual(check.leaks, [], check.text)
    assert.equal(process.listeners('SIGUSR2').includes(onSignal), false, 'the check returned before the removal')
  } finally {
    clearTimeout(removal)
    process.removeListener('exit', onExit)
    process.removeListener('SIGUSR2', onSignal)
    tracker.release(scope)
  }
})

test('a rule that needs the leak described does not cut the window short; the leak is still accepted after it', async () => {
  const windowMs = 150
  const described = new LeakTracker({
    heap: 'off',
    settleMs: windowMs,
    ignore: [{ kind: 'Listener', description: /SIGUSR2/, reason: 'matched on the words of the report' }],
  })
  described.runnerDirs = [NODE_TEST_DIR]
  described.start()
  const scope = described.openScope('adds a signal handler', null, { activate: false })
  described.runInScope(scope, () => process.on('SIGUSR2', onSignal))
  try {
    const started = performance.now()
    const check = await described.checkTest(scope, scope.subject)
    assert.ok(performance.now() - started >= windowMs, 'the window was cut short on a rule it could not judge yet')
    assert.deepEqual(check.leaks, [], check.text)
  } finally {
    process.removeListener('SIGUSR2', onSignal)
    described.release(scope)
    described.stop()
  }
})
