// Memory: watch() and toBeCollected() fail a test whose object is still reachable after GC; the heap-growth limit
// trips on the incident's pattern (every test leaves ~1 MB reachable) and not on a clean 60-test file; with no
// options, a steadily growing file is still reported. Closed servers the program keeps fail the file; those only
// vitest's bookkeeping keeps, or one server closed by many tests, do not.

import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import { fixtureAssertions, lineOf, runVitest } from './helpers/run-vitest.mjs'

const FIXTURE = 'memory'
let run
const { result, assertPassed, assertLeaked, fileResult } = fixtureAssertions(FIXTURE, () => run)

describe('memory', () => {
  before(async () => {
    run = await runVitest(FIXTURE)
  })

  test('watch(): a released object passes; one kept in a module-level array fails, at the watch() line', () => {
    assertPassed('watch.test.js', 'a released app passes watch()')
    const message = assertLeaked('watch.test.js', 'an app kept in a module-level array fails watch()', {
      description: 'App instance (watched as "fastify app") still reachable after GC',
      marker: '// leak:retained-array',
      left: '1 object still reachable',
    })
    assert.match(message, /should be garbage: something still references it/)
    assert.match(message, /- Retained object: find what still references it/)
    // The retainer path, from one heap snapshot: the module-level array by its name, then the slot.
    assert.match(message, /retained by:\n\s+┬───\n\s+│ GC Root: /)
    assert.match(
      message,
      /↓ variable registry[^\n]*\n\s+├─ Array instance[^\n]*\n\s+│\s+↓ Array\[0\]\n\s+╰→ App instance/,
    )
  })

  test('toBeCollected(): a released object passes; one kept by a listener closure fails, the closure in its path', () => {
    assertPassed('watch.test.js', 'toBeCollected(): a released object passes')
    const { status, message } = result(
      'watch-closure.test.js',
      'toBeCollected(): an object kept by a listener closure fails',
    )
    assert.equal(status, 'failed')
    assert.match(message, /left 1 listener attached and 1 object still reachable/)
    assert.match(message, /● App instance \(watched as "app held by a listener"\) still reachable after GC/)
    // The path goes through the listener: the closure by its function name, then the variable it captured.
    assert.match(message, /├─ function onTick[^\n]*\n\s+│\s+↓ closure scope/)
    assert.match(message, /↓ variable app\n\s+╰→ App instance/)
  })

  test("a mock's recorded calls are named as such in the retainer path", () => {
    const message = assertLeaked('watch-mock.test.js', 'an app passed to a mock that records its calls fails watch()', {
      description: 'App instance (watched as "app given to a mock") still reachable after GC',
      marker: '// leak:retained-mock',
      left: '1 object still reachable',
    })
    assert.match(
      message,
      /↓ closure\.mock\n\s+│\s+\^ a vi\.fn\(\)\/vi\.spyOn\(\) mock: it keeps the arguments of every call/,
    )
    assert.match(message, /↓ Object\.calls\n[\s\S]*╰→ App instance/)
  })

  test('maxHeapGrowthPerTest trips on ~1 MB kept per test, naming the slope and the tests that grew most', () => {
    const { status, message } = fileResult('growth-limit.test.js')
    assert.equal(status, 'failed')
    assert.match(
      message,
      /^file growth-limit\.test\.js: heap after GC grew (\d+(\.\d+)?) (MB|kB) per test over 30 tests/,
    )
    const [, amount, unit] = /grew (\d+(?:\.\d+)?) (MB|kB) per test/.exec(message)
    const bytes = Number(amount) * (unit === 'MB' ? 1e6 : 1e3)
    assert.ok(bytes > 700 * 1024 && bytes < 1600 * 1024, `slope ${amount} ${unit} is not about 1 MB`)
    assert.match(message, /the limit is 262\.1 kB per test \(maxHeapGrowthPerTest\)/)
    assert.match(message, /the tests that grew most:\n\s+\d+(\.\d+)? (MB|kB)\s+accumulating test \d+/)
  })

  test('the same limit does not trip on a clean 60-test file', () => {
    assert.equal(fileResult('growth-clean.test.js').status, 'passed', fileResult('growth-clean.test.js').message)
  })

  test('with no options, a file whose heap after GC grows steadily is reported as a warning', () => {
    assert.equal(fileResult('growth-default.test.js').status, 'passed')
    assert.match(
      run.output,
      /\[leakwatch\] file growth-default\.test\.js: heap after GC grew [\d.]+ MB per test over 40 tests .*: it grows steadily/,
    )
    assert.doesNotMatch(run.output, /\[leakwatch\] file growth-clean\.test\.js/)
  })

  test('servers closed by several tests yet still reachable fail the file, with their site and tests', () => {
    const { status, message } = fileResult('closed-servers.test.js')
    assert.equal(status, 'failed')
    // Every test's server counts, the first one's too: its creation site is kept by it, not for it.
    assert.match(message, /^file closed-servers\.test\.js left 4 objects still reachable/)
    assert.match(message, /● 4 × Server instance \(a server its test closed\) still reachable after GC/)
    const line = lineOf(FIXTURE, 'closed-servers.test.js', '// leak:closed-server')
    assert.match(message, new RegExp(`created at closed-servers\\.test\\.js:${line}:\\d+`))
    assert.match(
      message,
      /4 servers and sockets the tests closed are still reachable after GC \(tests: "route sends", "route reads", "route deletes", "route lists"\)/,
    )
    // The module's scope holds its variables: the path starts there, whatever else (vitest's tests) reaches it.
    assert.match(
      message,
      /GC Root: module scope \(its top-level variables\)\n[\s│]+├─ Context[^\n]*\n\s+│\s+↓ variable startedServers[^\n]*\n\s+├─ Array instance[^\n]*\n\s+│\s+↓ Array\[\d\]\n\s+╰→ Server instance/,
    )
    assert.doesNotMatch(message, /LeakTracker|LeakScope|runWithTimeout/)
  })

  test("servers a vi.fn() mock was given fail the file: the mock's recorded calls are on the path", () => {
    const { status, message } = fileResult('closed-servers-mock.test.js')
    assert.equal(status, 'failed')
    assert.match(message, /^file closed-servers-mock\.test\.js left 3 objects still reachable/)
    const line = lineOf(FIXTURE, 'closed-servers-mock.test.js', '// leak:mocked-server')
    assert.match(message, new RegExp(`created at closed-servers-mock\\.test\\.js:${line}:\\d+`))
    // vitest registers every mock (REGISTERED_MOCKS), which may be the shorter way to it than the file's variable.
    assert.match(
      message,
      /↓ closure\.mock\n\s+│\s+\^ a vi\.fn\(\)\/vi\.spyOn\(\) mock[\s\S]*↓ Object\.calls[\s\S]*╰→ Server instance/,
    )
  })

  test("what only vitest's or Node's bookkeeping holds is not retained: a test's or hook's closure, the test context, a mock, a session timer", () => {
    // Servers made in a loop and captured by the tests' functions (watched too) or by a describe's hooks, servers a
    // beforeEach put on the test context, and a describe's server its mock's implementation captures (vitest's mock
    // registry): vitest keeps each until the file ends. Nor closed HTTP/2 servers their sessions' timeout timers keep
    // (Node's, bounded). These files failed before.
    for (const file of [
      'held-by-test-closures.test.js',
      'held-by-test-context.test.js',
      'held-by-mock-registry.test.js',
      'held-by-http2-session-timer.test.js',
    ]) {
      assert.equal(fileResult(file).status, 'passed', fileResult(file).message)
    }
    assert.equal(result('held-by-test-closures.test.js', 'routes route sends').status, 'passed')
  })

  test("what only a test's open connection holds (its server, a closed socket) is that test's leak, not the file's", () => {
    for (const name of ['a request left unanswered', 'a closed socket held by an unanswered request']) {
      for (const which of ['first', 'second']) {
        assertLeaked('held-by-open-connection.test.js', `${name}, ${which}`, {
          description: 'TCP socket 127.0.0.1:',
          marker: '// leak:unanswered',
          count: 2,
        })
      }
    }
    // The connection's socket holds its server (Socket.server), and its HTTP parser the request whose listener holds
    // the closed socket: the open connection, reported against its test, is the leak; the file has none of its own.
    const file = fileResult('held-by-open-connection.test.js')
    assert.doesNotMatch(file.message, /still reachable/, file.message)
  })

  test("what a pending one-shot timer holds is not retained, an unref'd one's included; an unref'd interval's is", () => {
    const pending = fileResult('held-by-pending-timer.test.js')
    assert.equal(pending.status, 'passed', pending.message)
    assertPassed('held-by-pending-timer.test.js', "watch(): an app that only a pending unref'd timer holds passes")
    // An interval never lets go: each test's server piles up, unref'd or not.
    const interval = fileResult('held-by-unref-interval.test.js')
    assert.equal(interval.status, 'failed')
    assert.match(interval.message, /file held-by-unref-interval\.test\.js left 2 objects still reachable/)
    assert.match(interval.message, /2 × Server instance \(a server its test closed\) still reachable after GC/)
    assert.match(interval.message, /↓ Timeout\._onTimeout/)
    const line = lineOf('memory', 'held-by-unref-interval.test.js', '// leak:interval-holds')
    assert.match(interval.message, new RegExp(`held-by-unref-interval\\.test\\.js:${line}:`))
  })

  test('one server that every test listens on and closes is one object, not a pile-up', () => {
    assert.equal(fileResult('shared-server.test.js').status, 'passed', fileResult('shared-server.test.js').message)
  })

  test('configure({ ignoreReferences }) accepts what only the named reference holds', () => {
    assert.equal(
      fileResult('closed-servers-accepted.test.js').status,
      'passed',
      fileResult('closed-servers-accepted.test.js').message,
    )
  })

  test('closed servers that become garbage pass, a module-level variable holding the last one included', () => {
    assert.equal(
      fileResult('closed-servers-clean.test.js').status,
      'passed',
      fileResult('closed-servers-clean.test.js').message,
    )
  })

  test('heap figures reach task.meta: after GC when a limit is set', () => {
    const meta = result('growth-limit.test.js', 'accumulating test 5').meta.leakwatch
    assert.equal(meta.heap.afterGc, true)
    assert.ok(meta.heap.heapBytes > 0)
    assert.ok(meta.heap.heapDeltaBytes > 512 * 1024, `delta ${meta.heap.heapDeltaBytes}`)
    assert.equal(typeof meta.heap.nativeBytes, 'number')
  })
})
