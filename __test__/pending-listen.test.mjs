// A listen() whose host is being looked up makes its server's handle later, so a test that did not wait for it is
// given time for the handle to appear (up to settle.js's PENDING_WINDOW_MS); a listen() that has answered, by
// listening or by failing, is nothing to wait for. A port probe that fails (EADDRINUSE, as get-port-please does it)
// used to look pending until the window ran out: two seconds added to a healthy test.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import net from 'node:net'
import { after, before, test } from 'node:test'
import { LeakTracker } from '../js/index.js'

/** @type {LeakTracker} */
let tracker
/** A server on a port the probes then try to take. */
const blocker = net.createServer()

before(async () => {
  tracker = new LeakTracker({ heap: 'off', listeners: false, settleMs: 20 })
  tracker.start()
  await new Promise((resolve) => blocker.listen(0, '127.0.0.1', resolve))
})
after(async () => {
  tracker.stop()
  await new Promise((resolve) => blocker.close(resolve))
})

/** Listens and waits for the outcome: `listening`, or the error's code. */
function outcome(server) {
  return new Promise((resolve) => {
    server.once('listening', () => resolve('listening'))
    server.once('error', (error) => resolve(error.code))
  })
}

test('a listen(port, host) is pending until its lookup answers, whether it then listens or fails', async () => {
  const scope = tracker.openScope('probing ports', null, { activate: false })
  const seen = await tracker.runInScope(scope, async () => {
    const states = {}
    const listening = net.createServer()
    const listened = outcome(listening)
    listening.listen(0, 'localhost')
    states.whileLookingUp = scope.hasPendingListen()
    states.listened = await listened
    states.afterListening = scope.hasPendingListen()
    await new Promise((resolve) => listening.close(resolve))

    const probe = net.createServer()
    const probed = outcome(probe)
    probe.listen(blocker.address().port, 'localhost')
    states.probeWhileLookingUp = scope.hasPendingListen()
    states.probed = await probed
    states.afterTheProbeFailed = scope.hasPendingListen()

    const hostless = net.createServer()
    const hostlessProbed = outcome(hostless)
    hostless.listen(blocker.address().port)
    states.hostlessProbe = scope.hasPendingListen()
    states.hostlessProbed = await hostlessProbed
    return states
  })
  assert.deepEqual(seen, {
    whileLookingUp: true,
    listened: 'listening',
    afterListening: false,
    probeWhileLookingUp: true,
    probed: 'EADDRINUSE',
    afterTheProbeFailed: false,
    hostlessProbe: false,
    hostlessProbed: 'EADDRINUSE',
  })
  const check = await tracker.checkTest(scope, 'probing ports')
  assert.deepEqual(check.leaks, [])
  tracker.release(scope)
})

test("an un-awaited listen(0, host) is still waited for, and reported at the listen() call's line", async () => {
  const scope = tracker.openScope('an un-awaited listen', null, { activate: false })
  const server = net.createServer()
  tracker.runInScope(scope, () => {
    server.listen(0, 'localhost') // un-awaited-listen
  })
  assert.equal(scope.hasPendingListen(), true)
  try {
    const check = await tracker.checkTest(scope, 'an un-awaited listen')
    assert.equal(check.leaks.length, 1, check.text)
    assert.equal(check.leaks[0].kind, 'TCP server')
    assert.match(check.text, /pending-listen\.test\.mjs:\d+/)
    assert.match(check.text, /un-awaited-listen/)
  } finally {
    await new Promise((resolve) => server.close(resolve))
    tracker.release(scope)
  }
})

test('a program that froze the dns module keeps its listen(): the lookup is then judged by the server alone', () => {
  const script = `
    import dns from 'node:dns'
    import net from 'node:net'
    import { LeakTracker } from ${JSON.stringify(new URL('../js/index.js', import.meta.url).href)}
    Object.freeze(dns)
    const tracker = new LeakTracker({ heap: 'off', listeners: false, settleMs: 20 })
    tracker.start()
    const scope = tracker.openScope('frozen dns', null, { activate: false })
    const server = net.createServer()
    const listening = new Promise((resolve) => server.once('listening', resolve))
    tracker.runInScope(scope, () => server.listen(0, 'localhost'))
    const pendingAtFirst = scope.hasPendingListen()
    await listening
    console.log(JSON.stringify({ pendingAtFirst, pendingAfter: scope.hasPendingListen(), port: server.address().port > 0 }))
    server.close()
    tracker.release(scope)
    tracker.stop()
  `
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
  assert.equal(result.status, 0, result.stderr)
  assert.deepEqual(JSON.parse(result.stdout), { pendingAtFirst: true, pendingAfter: false, port: true })
})
