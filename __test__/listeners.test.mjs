// Listener leaks: handlers a test adds to emitters that outlive it (process, module singletons, beforeAll objects,
// a shared AbortSignal) fail the test; listeners on a test's own emitters, fired `once`s and removed listeners pass.

import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { before, describe, test } from 'node:test'
import { fixtureAssertions, lineOf, runVitest } from './helpers/run-vitest.mjs'

const FIXTURE = 'listeners'
let run
const { result, assertPassed, assertLeaked, fileResult } = fixtureAssertions(FIXTURE, () => run)

function assertListenerLeak(file, name, description, marker) {
  const message = assertLeaked(file, name, { description, marker, left: '1 listener attached' })
  assert.match(message, /still attached: the emitter outlives the test/)
  assert.match(message, /- Listener: remove it when done/)
}

describe('listener leaks', () => {
  before(async () => {
    run = await runVitest(FIXTURE)
  })

  test('a SIGTERM handler added per server and never removed fails; removed in stop() passes', () => {
    const name = 'SIGTERM handler added per server and never removed'
    const { status, message } = result('process-signals.test.js', name)
    assert.equal(status, 'failed')
    assert.match(message, /left 1 listener attached/)
    assert.match(message, /● listener for "SIGTERM" on process/)
    assert.match(message, /created at createServer \(process-signals\.test\.js:\d+:\d+\)/)
    assertPassed('process-signals.test.js', 'SIGTERM handler removed in stop()')
  })

  test('listeners left on a module singleton and on a beforeAll emitter fail', () => {
    assertListenerLeak(
      'singleton.test.js',
      'listener left on a module singleton',
      'listener for "message" on EventEmitter',
      '// leak:singleton',
    )
    assertListenerLeak(
      'singleton.test.js',
      'listener left on an emitter from beforeAll',
      'listener for "tick" on EventEmitter',
      '// leak:before-all',
    )
    assertListenerLeak(
      'singleton.test.js',
      'prependListener left on the singleton',
      'listener for "message" on EventEmitter',
      '// leak:prepend',
    )
  })

  test("listeners on the test's own emitter, a fired once, removeAllListeners: all pass", () => {
    assertPassed('singleton.test.js', 'listeners on an emitter the test created are its own')
    assertPassed('singleton.test.js', 'once that fired is gone')
    assertPassed('singleton.test.js', 'removeAllListeners clears what the test added')
  })

  test('an abort listener left on a shared AbortSignal fails; { signal }, { once: true }, removeEventListener pass', () => {
    assertListenerLeak(
      'abort-signal.test.js',
      'abort listener left on a shared signal',
      'listener for "abort" on AbortSignal',
      '// leak:abort',
    )
    assertPassed('abort-signal.test.js', '{ signal } removes the listener when its controller aborts')
    assertPassed('abort-signal.test.js', '{ once: true } listener that fired is gone')
    assertPassed('abort-signal.test.js', 'removeEventListener removes it')
  })

  test('a MaxListenersExceededWarning is attributed to the test, with the adding line', () => {
    const name = 'eleven listeners on one event of a singleton'
    assertPassed('max-listeners.test.js', name)
    const { warnings } = result('max-listeners.test.js', name).meta.leakwatch
    assert.equal(warnings.length, 1)
    assert.match(
      warnings[0],
      new RegExp(
        `^MaxListenersExceededWarning in test "${name}": 11 "data" listeners on EventEmitter \\(the last added at max-listeners\\.test\\.js:8:\\d+\\)$`,
      ),
    )
    assert.match(run.output, /\[leakwatch\] MaxListenersExceededWarning in test "eleven listeners/)
  })

  test('patching is invisible to user code', () => {
    assertPassed('invisible.test.js', 'patching is invisible: this, rawListeners, listenerCount, once wrappers, names')
  })

  test('ignore rules by emitter and event; listener tracking can be turned off', () => {
    assertPassed('options.test.js', 'ignored by emitter and event: a SIGUSR2 handler on process')
    assertPassed('options.test.js', 'ignored by emitter class: a listener on the registry')
    const { message } = result('options.test.js', 'not ignored: SIGTERM on process')
    assert.match(message, /● listener for "SIGTERM" on process/)
    assertPassed('off.test.js', 'listener tracking off: a listener left on a singleton passes')
  })

  test("listeners Node adds by itself to an earlier test's pooled socket, finished stream or closing HTTP/2 session are not leaks", () => {
    for (const index of [1, 2, 3]) {
      assertPassed(
        'node-added.test.js',
        `one keep-alive agent shared by the tests of a file request ${index} on the pooled socket`,
      )
    }
    assertPassed(
      'node-added.test.js',
      'a ReadStream read to its end in an earlier test turns the finished stream into a web stream',
    )
    assertPassed('node-added.test.js', 'an HTTP/2 session from beforeAll, closed by a test closes the session')
    for (const index of [1, 2, 3]) {
      assertPassed(
        'node-added.test.js',
        `a new HTTP/2 client per test, the previous one closed in beforeEach GET / ${index}`,
      )
    }
    assert.doesNotMatch(fileResult('node-added.test.js').message, /LeakError/)
    // What the test's own code leaves on the pooled socket is still its leak, and only that.
    const { status, message } = result(
      'node-added.test.js',
      "one keep-alive agent shared by the tests of a file the test's own listener on the pooled socket is still its leak",
    )
    assert.equal(status, 'failed')
    assert.match(message, /left 1 listener attached/)
    assert.match(message, /● listener for "timeout" on Socket/)
    assert.match(
      message,
      new RegExp(
        `created at (?:\\S+ \\()?node-added\\.test\\.js:${lineOf(FIXTURE, 'node-added.test.js', '// leak:pooled-socket')}:`,
      ),
    )
    assert.doesNotMatch(message, /"error"/)
  })

  test('listener counts reach resourceDelta and task.meta', () => {
    const meta = result('singleton.test.js', 'listener left on a module singleton').meta.leakwatch
    assert.equal(meta.created.Listener, 1)
    assert.equal(meta.handles.Listener, 1)
    assert.deepEqual(meta.listeners, { 'EventEmitter "message"': 1 })
    assert.equal(meta.leaks[0].kind, 'Listener')
    assert.equal(meta.leaks[0].emitter, 'EventEmitter')
    assert.equal(meta.leaks[0].event, 'message')
  })
})

test('start() patches EventEmitter and EventTarget once; stop() restores what Node defines', async () => {
  const originals = {
    on: EventEmitter.prototype.on,
    prepend: EventEmitter.prototype.prependListener,
    init: EventEmitter.init,
    addEventListener: EventTarget.prototype.addEventListener,
    AbortController: globalThis.AbortController,
    EventTarget: globalThis.EventTarget,
    timeout: AbortSignal.timeout,
  }
  const { LeakTracker } = await import('../js/index.js')
  const tracker = new LeakTracker()
  tracker.start()
  const patchedOn = EventEmitter.prototype.on
  assert.notEqual(patchedOn, originals.on)
  assert.equal(EventEmitter.prototype.addListener, patchedOn)
  tracker.configure({ listeners: true })
  assert.equal(EventEmitter.prototype.on, patchedOn, 'enabling twice patches once')
  tracker.configure({ listeners: false })
  assert.equal(EventEmitter.prototype.on, originals.on, 'turning listeners off restores')
  tracker.configure({ listeners: true })
  assert.notEqual(EventEmitter.prototype.on, originals.on)
  tracker.stop()
  assert.equal(EventEmitter.prototype.on, originals.on)
  assert.equal(EventEmitter.prototype.addListener, originals.on)
  assert.equal(EventEmitter.prototype.prependListener, originals.prepend)
  assert.equal(EventEmitter.init, originals.init)
  assert.equal(EventTarget.prototype.addEventListener, originals.addEventListener)
  assert.equal(globalThis.AbortController, originals.AbortController)
  assert.equal(globalThis.EventTarget, originals.EventTarget)
  assert.equal(AbortSignal.timeout, originals.timeout)
})

test('a global made read-only but configurable (a vm context on Node 20) is wrapped all the same, and put back as it was', async () => {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'AbortController')
  const original = globalThis.AbortController
  const readOnly = { value: original, writable: false, enumerable: false, configurable: true }
  Object.defineProperty(globalThis, 'AbortController', readOnly)
  try {
    const { LeakTracker } = await import('../js/index.js')
    const tracker = new LeakTracker()
    tracker.start()
    assert.notEqual(globalThis.AbortController, original)
    assert.equal(Object.getOwnPropertyDescriptor(globalThis, 'AbortController').writable, false)
    assert.equal(tracker.listenerTracker.takeNotice(), undefined, 'nothing went unchecked')
    tracker.stop()
    assert.deepEqual(Object.getOwnPropertyDescriptor(globalThis, 'AbortController'), readOnly)
  } finally {
    Object.defineProperty(globalThis, 'AbortController', descriptor)
  }
})

describe('a global leakwatch cannot replace (read-only, not configurable)', () => {
  const fixture = 'listeners-read-only'
  let readOnlyRun
  const readOnly = fixtureAssertions(fixture, () => readOnlyRun)

  before(async () => {
    readOnlyRun = await runVitest(fixture)
  })

  test('listeners on EventTargets go unchecked, said once for the worker; every other check runs', () => {
    const notices = readOnlyRun.output.match(/\[leakwatch\] globalThis\.AbortController is read-only here[^\n]*/g) ?? []
    assert.equal(notices.length, 1, readOnlyRun.output)
    assert.match(
      notices[0],
      /listeners left on an AbortSignal or EventTarget are not checked in this worker; every other check runs\.$/,
    )
    readOnly.assertLeaked('first.test.js', 'a leaked server is still reported', {
      description: 'TCP server listening on 127.0.0.1:',
      marker: '// leak:read-only-server',
    })
    readOnly.assertLeaked('first.test.js', 'a listener left on process is still reported', {
      description: 'listener for "SIGUSR2" on process',
      marker: '// leak:read-only-process',
      left: '1 listener attached',
    })
    readOnly.assertPassed('first.test.js', "a listener on the test's own AbortSignal is not called a leak")
    readOnly.assertPassed('first.test.js', 'a listener left on a shared AbortSignal goes unchecked')
    readOnly.assertLeaked('second.test.js', 'a leaked interval in the next file of the worker is reported', {
      description: 'Interval every 65000 ms',
      marker: '// leak:read-only-interval',
    })
    readOnly.assertPassed('second.test.js', 'a clean test in the next file passes')
  })
})

test('emitters are described in words a user recognises', async () => {
  const { describeEmitter } = await import('../js/core/listener-tracker.js')
  const net = await import('node:net')
  assert.equal(describeEmitter(process), 'process')
  class Redis extends EventEmitter {
    options = { host: '127.0.0.1', port: 6379 }
  }
  assert.equal(describeEmitter(new Redis()), 'Redis (127.0.0.1:6379)')
  class WebSocketServer extends EventEmitter {}
  assert.equal(describeEmitter(new WebSocketServer()), 'WebSocketServer')
  assert.equal(describeEmitter(new AbortController().signal), 'AbortSignal')
  const server = net.createServer((socket) => socket.end())
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const socket = net.connect(server.address().port, '127.0.0.1')
  await new Promise((resolve) => socket.once('connect', resolve))
  assert.match(describeEmitter(socket), /^Socket 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+$/)
  socket.destroy()
  await new Promise((resolve) => server.close(resolve))
  assert.equal(describeEmitter(Object.create(null)), 'EventEmitter')
  const hostile = new Proxy(
    {},
    {
      get: () => {
        throw new Error('no')
      },
    },
  )
  assert.equal(describeEmitter(hostile), 'an emitter', 'an emitter whose getters throw is still described')
})
