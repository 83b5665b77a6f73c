// leakwatch/jest on real jest suites: jest 30 itself runs __test__/fixtures/jest (CommonJS test files, no flag) and
// __test__/fixtures/jest/esm (ES module test files, under --experimental-vm-modules), and each test below asserts on
// the outcome: the same leaks as the vitest fixtures fail the test that made them with the same LeakError text, and
// the clean cases pass. The main run is --runInBand (every file in one process, one after the other, as jest runs
// them on a 2-core machine); one more run spreads files over two worker processes.

import assert from 'node:assert/strict'
import path from 'node:path'
import { before, describe, test } from 'node:test'
import { runJest } from './helpers/run-jest.mjs'
import { runNode } from './helpers/run-node.mjs'
import { fixtureAssertions, lineOf, plain, REPO_ROOT } from './helpers/run-vitest.mjs'

/** @type {Awaited<ReturnType<typeof runJest>>} */
let run
/** @type {Awaited<ReturnType<typeof runJest>>} */
let esmRun
/** @type {Awaited<ReturnType<typeof runJest>>} */
let workersRun
/** @type {Awaited<ReturnType<typeof runJest>>} */
let detectLeaksRun
/** @type {Awaited<ReturnType<typeof runJest>>} */
let orderRun

before(async () => {
  // One jest at a time: the machine has two cores, and other suites run beside this one.
  run = await runJest('jest', { args: ['--runInBand'] })
  esmRun = await runJest('jest/esm', { env: { NODE_OPTIONS: '--experimental-vm-modules' } })
  // A memory limit for idle workers makes jest use worker processes even for a few fast files.
  workersRun = await runJest('jest', {
    args: [
      '--maxWorkers=2',
      '--workerIdleMemoryLimit=2GB',
      '--noStackTrace',
      '/(net|timers|module-level|listeners)\\.test\\.js$',
    ],
  })
  detectLeaksRun = await runJest('jest/released', { args: ['--runInBand', '--detectLeaks'] })
  orderRun = await runJest('jest/order')
})

const { result, assertPassed, assertLeaked, fileResult } = fixtureAssertions('jest', () => run)

describe('leakwatch/jest', () => {
  test('jest exits 1 (tests failed on purpose) and nothing crashed', () => {
    assert.equal(run.exitCode, 1, run.output)
    assert.doesNotMatch(
      run.output,
      /segmentation fault|worker process has failed|not set up|Cannot log after tests are done/i,
    )
    // The files that fail as files are those whose module level leaks, that keep closed servers, or whose watched
    // object was decided at the file's end: every other file loaded and ran.
    const failedAsFiles = run.report.testResults.filter((file) =>
      plain(file.message).includes('Test suite failed to run'),
    )
    assert.deepEqual(
      failedAsFiles.map((file) => path.basename(file.name)),
      ['closed-servers-kept.test.js', 'module-level.test.js', 'watch.test.js'],
    )
    assert.equal(run.report.numRuntimeErrorTestSuites, 3)
  })

  test('a listening server and a client socket fail their tests; closed ones pass', () => {
    assertLeaked('net.test.js', 'leaky TCP server', {
      description: 'TCP server listening on 127.0.0.1:',
      marker: '// leak:tcp-server',
    })
    assertLeaked('net.test.js', 'leaky TCP client socket', {
      description: 'TCP socket 127.0.0.1:',
      marker: '// leak:tcp-socket',
    })
    assertPassed('net.test.js', 'clean TCP server')
    assertPassed('net.test.js', 'clean TCP client socket')
    // The shared server of beforeAll, closed in afterAll with the sockets it accepted: the file passes.
    assert.equal(fileResult('net.test.js').message.includes('LeakError: file'), false)
  })

  test('an un-awaited listen() fails its own test; a test that times out and goes on to open a server fails no other', () => {
    const { status, message } = result('late.test.js', 'listen(0, host) not awaited')
    assert.equal(status, 'failed')
    assert.match(message, /TCP server listening on/)
    assert.match(message, new RegExp(`late\\.test\\.js:${lineOf('jest', 'late.test.js', 'leak:unawaited-listen')}:`))
    assertPassed('late.test.js', 'after the un-awaited listen')
    const timedOut = result('late.test.js', 'times out, then opens a server')
    assert.equal(timedOut.status, 'failed')
    assert.doesNotMatch(timedOut.message, /TCP server/)
    assertPassed('late.test.js', 'after the timed-out test')
    assert.equal(fileResult('late.test.js').message.includes('LeakError: file'), false)
  })

  test("one keep-alive agent shared by a file's tests: Node's own listeners on the pooled socket fail no test", () => {
    for (const index of [1, 2, 3]) assertPassed('keep-alive-agent.test.js', `request ${index} on the pooled socket`)
  })

  test('a timeout, an interval and a self-rescheduling immediate fail their tests; cleared ones pass', () => {
    assertLeaked('timers.test.js', 'leaky timeout', {
      description: 'Timeout after 60000 ms',
      marker: '// leak:timeout',
    })
    assertLeaked('timers.test.js', 'leaky interval', {
      description: 'Interval every 30000 ms',
      marker: '// leak:interval',
    })
    assertLeaked('timers.test.js', 'leaky immediate that keeps rescheduling itself', {
      description: 'Immediate (setImmediate)',
      marker: '// leak:immediate',
    })
    for (const name of ['clean timeout', 'clean interval', 'clean immediate']) assertPassed('timers.test.js', name)
  })

  test('what a leaked immediate keeps creating is its own: no later test or file is blamed for it', () => {
    // timers.test.js leaves an immediate that reschedules itself for the rest of the run; files after it in the same
    // process (watch.test.js, warn.test.js) report only their own leaks.
    const later = [...run.tests.entries()].filter(([key]) => /^(watch|warn)\.test\.js > /.test(key))
    assert.ok(later.length >= 5, 'the files after timers.test.js ran')
    for (const [key, { message }] of later) assert.doesNotMatch(message, /Immediate/, key)
  })

  test('a child process fails its test; one killed and waited for passes', () => {
    assertLeaked('child-process.test.js', 'leaky child process', { description: '(sleep 30)', marker: '// leak:child' })
    assertPassed('child-process.test.js', 'clean child process')
  })

  test('a SIGTERM handler left on process and a listener on a module singleton fail their tests', () => {
    assertLeaked('listeners.test.js', 'SIGTERM handler added per server and never removed', {
      description: 'listener for "SIGTERM" on process',
      marker: '// leak:sigterm',
      left: '1 listener attached',
    })
    assertLeaked('listeners.test.js', 'listener left on a module singleton', {
      description: 'listener for "message" on EventEmitter',
      marker: '// leak:singleton',
      left: '1 listener attached',
    })
    assertPassed('listeners.test.js', 'SIGTERM handler removed in stop()')
    assertPassed('listeners.test.js', 'listeners on an emitter the test created are its own')
  })

  test('watch() and toBeCollected(): a retained object fails with its retainer path, a released one passes', () => {
    const message = assertLeaked('watch.test.js', 'an app kept in a module-level array fails watch()', {
      description: 'App instance (watched as "fastify app") still reachable after GC',
      marker: '// leak:retained-array',
      left: '1 object still reachable',
    })
    assert.match(message, /retained by:[\s\S]*variable registry[\s\S]*Array\[0\][\s\S]*╰→ App instance/, message)
    // Telling whether the program holds an object takes a heap snapshot; a test's check takes the file's first, and
    // a later test's object is decided with the file's own, at its end: the file fails, naming the test.
    assertPassed('watch.test.js', 'toBeCollected(): a retained object is reported')
    const file = fileResult('watch.test.js')
    assert.equal(file.status, 'failed')
    assert.ok(
      file.message.includes(
        'App instance (watched as "kept app" in test "toBeCollected(): a retained object is reported", still held at the end of the file) still reachable after GC',
      ),
      file.message,
    )
    const line = lineOf('jest', 'watch.test.js', '// leak:retained-matcher')
    assert.match(file.message, new RegExp(`created at (?:\\S+ \\()?watch\\.test\\.js:${line}:\\d+`))
    assert.match(
      file.message,
      /retained by:[\s\S]*variable registry[\s\S]*Array\[1\][\s\S]*╰→ App instance/,
      file.message,
    )
    assertPassed('watch.test.js', 'a released app passes watch()')
    assertPassed('watch.test.js', 'toBeCollected(): a released object passes')
    // The fixture asserts the TypeError's text.
    assertPassed('watch.test.js', '.not.toBeCollected() is a TypeError')
  })

  test("closed servers that only jest-circus holds (a test's or hook's closure) pass, a watch() of one too; one shared server is one object", () => {
    const file = fileResult('closed-servers-runner.test.js')
    assert.equal(file.status, 'passed', file.message)
    for (const name of ['route sends', 'route reads', 'route deletes']) {
      assertPassed('closed-servers-runner.test.js', `a server per test, made in a loop > ${name}`)
    }
  })

  test('closed servers a module-level array keeps fail the file, the array on the path and not jest-circus', () => {
    const file = fileResult('closed-servers-kept.test.js')
    assert.equal(file.status, 'failed')
    assert.ok(
      file.message.includes('LeakError: file closed-servers-kept.test.js left 3 objects still reachable'),
      file.message,
    )
    const line = lineOf('jest', 'closed-servers-kept.test.js', '// leak:registered-server')
    assert.match(file.message, new RegExp(`created at (?:\\S+ \\()?closed-servers-kept\\.test\\.js:${line}:\\d+`))
    assert.match(
      file.message,
      /GC Root: module scope \(its top-level variables\)[\s│]+├─ Context[^\n]*\n[\s│]+↓ variable startedServers\n[\s│]+├─ Array instance[^\n]*\n[\s│]+↓ Array\[\d\]\n[\s│]+╰→ Server instance/,
    )
    assert.doesNotMatch(file.message, /currentDescribeBlock|Object\.fn|LeakTracker/)
  })

  test("cleanup in afterEach counts, the file's top-level afterEach included", () => {
    assertPassed('cleanup.test.js', 'server closed by the top-level afterEach')
    assertPassed('cleanup.test.js', 'a describe block > interval cleared by the describe afterEach')
    assertPassed('cleanup.test.js', "timer made in beforeEach is the test's, cleared by afterEach")
    assertLeaked('cleanup.test.js', 'a describe block > leak that no afterEach cleans', {
      description: 'Interval every 45000 ms',
      marker: '// leak:describe-leak',
    })
  })

  test('a module-level server fails the file, not its test; a file that closes its own in afterAll passes', () => {
    assertPassed('module-level.test.js', 'a test in a file whose module level leaks passes')
    const file = fileResult('module-level.test.js')
    assert.equal(file.status, 'failed')
    assert.ok(
      file.message.includes('LeakError: file module-level.test.js (module level and beforeAll) left 1 resource open'),
      file.message,
    )
    assert.match(file.message, /TCP server listening on 127\.0\.0\.1:\d+/)
    const line = lineOf('jest', 'module-level.test.js', '// leak:module-server')
    assert.match(file.message, new RegExp(`created at (?:\\S+ \\()?module-level\\.test\\.js:${line}:\\d+`))
    assert.ok(file.message.includes('close them in afterAll'), file.message)
    assert.equal(file.message.split('left 1 resource open').length, 2, 'the report is printed once')
    assertPassed('file-clean.test.js', 'uses the shared server')
    assert.equal(fileResult('file-clean.test.js').status, 'passed')
    assert.equal(fileResult('file-clean.test.js').message, '')
  })

  test('a leak is the test that leaked, a failing test shows both errors, late closes and unref are not leaks', () => {
    assertLeaked('behaviour.test.js', 'leaks a timeout', {
      description: 'Timeout after 60000 ms',
      marker: '// leak:attribution',
    })
    assertPassed('behaviour.test.js', 'clean test after the leaky one')
    const message = assertLeaked('behaviour.test.js', 'fails an assertion and leaks', {
      description: 'Timeout after 60000 ms',
      marker: '// leak:already-failing',
    })
    assert.ok(message.indexOf('expect(received).toBe(expected)') >= 0, message)
    assert.ok(message.indexOf('expect(received)') < message.indexOf('LeakError'), 'the assertion comes first')
    assertPassed('behaviour.test.js', 'client socket closed 20 ms after the test returns')
    assertPassed('behaviour.test.js', "unref'd interval")
  })

  test('expectNoLeaks, allowLeaks, resourceDelta and LeakError from leakwatch/jest', () => {
    // The fixture asserts expectNoLeaks(fn)'s rejection (subject, description, line, LeakError, .leaks) itself.
    assertPassed('api.test.js', 'expectNoLeaks(fn) rejects for a leaky fn')
    assert.equal(lineOf('jest', 'api.test.js', '// leak:expect-fn'), 8, 'the fixture hard-codes line 8')
    assertPassed('api.test.js', 'expectNoLeaks(fn) resolves for a clean fn')
    const message = assertLeaked('api.test.js', 'expectNoLeaks() without fn throws mid-test', {
      description: 'TCP server listening on 127.0.0.1:',
      marker: '// leak:expect-mid',
    })
    assert.doesNotMatch(message, /should have thrown/)
    assert.equal(message.match(/left 1 resource open/g).length, 1, 'reported once, not again at the end of the test')
    assertPassed('api.test.js', 'allowed leak')
    assertLeaked('api.test.js', 'not allowed after', {
      description: 'Timeout after 60000 ms',
      marker: '// leak:after-allowed',
    })
    assertPassed('api.test.js', 'resourceDelta counts what is open and what was created')
  })

  test('configure() in a file applies to it only, and a bad option is a TypeError naming it', () => {
    assertPassed('options.test.js', 'a timeout is not reported when only TCP servers are')
    assertPassed('options.test.js', 'a misspelt option is a TypeError naming it')
    // timers.test.js ran next, in the same process (--runInBand, files in name order): back to every kind.
    const order = run.report.testResults.map((file) => path.basename(file.name))
    assert.equal(order.indexOf('timers.test.js'), order.indexOf('options.test.js') + 1, order.join(', '))
    assert.equal(result('timers.test.js', 'leaky timeout').status, 'failed')
  })

  test("onLeak: 'warn' prints the report and the test passes", () => {
    assertPassed('warn.test.js', 'leak reported as a warning')
    assert.ok(run.output.includes('[leakwatch] test "leak reported as a warning" left 1 resource open'), run.output)
  })

  test("jest's fake timers do not stop the check: it waits on real time", () => {
    assertPassed('fake-timers.test.js', 'a fake interval left behind is no handle')
    assertLeaked('fake-timers.test.js', 'a server leaked while fake timers are on', {
      description: 'TCP server listening on 127.0.0.1:',
      marker: '// leak:fake-timers',
    })
  })

  test('fake timers left on after a test, all or one alone: leaks reported, clean tests pass, and the tests after them', () => {
    const file = 'fake-timers-left-on.test.js'
    const server = { description: 'TCP server listening on 127.0.0.1:' }
    assertLeaked(file, 'a server leaked with fake timers left on', { ...server, marker: '// leak:left-on-server' })
    assertPassed(file, 'a clean test with fake timers left on')
    for (const faked of ['setTimeout', 'setImmediate', 'nextTick']) {
      assertLeaked(file, `${faked} faked alone: a leaked server is reported`, {
        ...server,
        marker: '// leak:left-on-one',
      })
      assertPassed(file, `${faked} faked alone: a closed server passes`)
    }
    assertLeaked(file, 'nextTick faked alone: a retained object fails watch()', {
      description: 'Object instance (watched as "kept app") still reachable after GC',
      marker: '// leak:left-on-watch',
      left: '1 object still reachable',
    })
    assertPassed(file, 'the test after them passes, with the fakes still on')
    for (const [key, { message }] of run.tests)
      if (key.startsWith(file)) assert.doesNotMatch(message, /Exceeded timeout|run concurrently/, key)
  })

  test("leakwatch holds nothing of a finished file: jest's --detectLeaks passes clean files", () => {
    assert.equal(detectLeaksRun.exitCode, 0, detectLeaksRun.output)
    assert.equal(detectLeaksRun.report.numPassedTestSuites, 3)
    assert.doesNotMatch(detectLeaksRun.output, /leaking memory/)
  })

  test('concurrent tests: a leak fails exactly one of them, saying attribution is uncertain', () => {
    const names = ['concurrent leak', 'concurrent neighbour', 'concurrent late neighbour'].map(
      (name) => `one of three concurrent tests leaks > ${name}`,
    )
    const failed = names.filter((name) => result('concurrent.test.js', name).status === 'failed')
    assert.equal(failed.length, 1, `failed: ${failed.join(', ')}`)
    const { message } = result('concurrent.test.js', failed[0])
    assert.ok(
      message.includes('tests ran concurrently: some of these may belong to another test of this file'),
      message,
    )
    assert.ok(
      message.includes(`concurrent.test.js:${lineOf('jest', 'concurrent.test.js', '// leak:concurrent')}:`),
      message,
    )
    for (const name of ['quick clean', 'slow clean', 'slowest clean']) {
      assertPassed('concurrent.test.js', `clean tests running at the same time > ${name}`)
    }
  })

  test("test.concurrent: allowLeaks() fails its caller with a clear error and does not silence the neighbour's leak", () => {
    const caller = result(
      'concurrent-calls.test.js',
      'allowLeaks() beside a leaky neighbour > calls allowLeaks() while its neighbour runs',
    )
    assert.equal(caller.status, 'failed')
    assert.ok(
      caller.message.startsWith(
        'Error: leakwatch: allowLeaks() was called while 2 tests run concurrently ("allowLeaks() beside a leaky neighbour > calls allowLeaks() while its neighbour runs", "allowLeaks() beside a leaky neighbour > leaks while its neighbour calls allowLeaks()"): it cannot tell which of them called it.',
      ),
      caller.message,
    )
    assert.match(caller.message, /or accept the resource with an ignore rule in configure/)
    // Its first frame is the user's call, which jest shows.
    assert.match(caller.message, /\n\s+at .*concurrent-calls\.test\.js:\d+:\d+/)
    assertLeaked(
      'concurrent-calls.test.js',
      'allowLeaks() beside a leaky neighbour > leaks while its neighbour calls allowLeaks()',
      {
        description: 'Interval every 47000 ms',
        marker: '// leak:beside-allow',
      },
    )
    // The fixture asserts that watch(), resourceDelta() and expectNoLeaks() throw, and that expectNoLeaks(fn) checks.
    assertPassed(
      'concurrent-calls.test.js',
      'the other calls beside a neighbour > watch(), resourceDelta() and expectNoLeaks() throw; expectNoLeaks(fn) checks its function',
    )
    assertPassed('concurrent-calls.test.js', 'the other calls beside a neighbour > partner')
  })

  test('jest.retryTimes cannot hide a leak: the last attempt reports what an earlier one left open; what it closed is dropped', () => {
    const note = 'note: left open by an earlier attempt of this test (retry): the retry cannot pass while it is open'
    const leaky = assertLeaked('flaky-retries.test.js', 'leaks on its first attempt only', {
      description: 'Interval every 51000 ms',
      marker: '// leak:first-attempt',
    })
    assert.ok(leaky.includes(note), leaky)
    const flaky = assertLeaked('flaky-retries.test.js', 'fails on its first attempt, leaving its server open', {
      description: 'TCP server listening on 127.0.0.1:',
      marker: '// leak:flaky-server',
    })
    assert.ok(flaky.includes(note), flaky)
    assertPassed('flaky-retries.test.js', 'fails on its first attempt; the retry closes what it left')
    assertPassed('flaky-retries.test.js', 'the test after them is clean')
    // Nor is it the file's: the file's check does not report it a second time.
    assert.equal(fileResult('flaky-retries.test.js').message.includes('LeakError: file'), false)
  })

  test('ES module test files under --experimental-vm-modules: the same checks through the same entry', () => {
    const esm = fixtureAssertions('jest/esm', () => esmRun)
    assert.equal(esmRun.exitCode, 1, esmRun.output)
    esm.assertLeaked('esm.test.js', 'leaky TCP server in an ES module test file', {
      description: 'TCP server listening on 127.0.0.1:',
      marker: '// leak:esm-server',
    })
    // The fixture checks resourceDelta() and LeakError through named imports of the CommonJS entry.
    esm.assertPassed('esm.test.js', 'clean TCP server in an ES module test file')
    esm.assertPassed('esm.test.js', 'expect(obj).toBeCollected() in an ES module test file')
    const file = esm.fileResult('esm.test.js')
    assert.ok(
      file.message.includes('LeakError: file esm.test.js (module level and beforeAll) left 1 resource open'),
      file.message,
    )
    assert.ok(
      file.message.includes(`esm.test.js:${lineOf('jest/esm', 'esm.test.js', '// leak:esm-module-level')}:`),
      file.message,
    )
  })

  test('files spread over two worker processes: the same leaks, each worker with its own tracker', () => {
    const workers = fixtureAssertions('jest', () => workersRun)
    assert.equal(workersRun.exitCode, 1, workersRun.output)
    assert.equal(workersRun.report.numTotalTestSuites, 4)
    workers.assertLeaked('net.test.js', 'leaky TCP server', {
      description: 'TCP server listening on',
      marker: '// leak:tcp-server',
    })
    workers.assertLeaked('timers.test.js', 'leaky interval', {
      description: 'Interval every 30000 ms',
      marker: '// leak:interval',
    })
    workers.assertLeaked('listeners.test.js', 'SIGTERM handler added per server and never removed', {
      description: 'listener for "SIGTERM" on process',
      marker: '// leak:sigterm',
      left: '1 listener attached',
    })
    workers.assertPassed('net.test.js', 'clean TCP client socket')
    workers.assertPassed('timers.test.js', 'clean immediate')
    assert.ok(workers.fileResult('module-level.test.js').message.includes('LeakError: file module-level.test.js'))
  })

  test('jest prints the report whole, as its message: --noStackTrace keeps it', () => {
    // The run above has --noStackTrace: jest drops what it takes for a stack, and the report is not that.
    const line = lineOf('jest', 'net.test.js', '// leak:tcp-server')
    const report = workersRun.output.slice(
      workersRun.output.indexOf('LeakError: test "leaky TCP server" left 1 resource open'),
    )
    const heading =
      '^LeakError: test "leaky TCP server" left 1 resource open\\n\\n +● TCP server listening on 127\\.0\\.0\\.1:\\d+ +\\(keeps the process alive\\)'
    assert.match(report, new RegExp(`${heading}\\n +created at (?:\\S+ \\()?net\\.test\\.js:${line}:`))
    assert.match(report, /\n\n +Fix: close what was opened before the test ends/)
  })

  test('a setup file listed before leakwatch/jest that calls configure() is told to list leakwatch/jest before it', () => {
    assert.equal(orderRun.exitCode, 1, orderRun.output)
    const [file] = orderRun.report.testResults
    const message = plain(file.message)
    assert.match(message, /Test suite failed to run/)
    assert.ok(
      message.includes(
        'list "leakwatch/jest" in setupFilesAfterEnv of the jest config, before any setup file that calls its API',
      ),
      message,
    )
    assert.doesNotMatch(message, /add "leakwatch\/jest" to setupFilesAfterEnv/)
  })

  test("jest exits by itself after a reported leak (no --forceExit): what leakwatch reported is unref'd, not closed", async () => {
    const root = path.join(REPO_ROOT, '__test__', 'fixtures', 'jest', 'exits')
    const jest = path.join(REPO_ROOT, 'node_modules', 'jest', 'bin', 'jest.js')
    const env = { ...process.env, CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1' }
    // Generous: it takes about a second here. Without the unref, jest waits for the server and the interval for ever.
    const { exitCode, output, killed } = await runNode([jest, '--ci', '--runInBand'], {
      cwd: root,
      env,
      timeoutMs: 60_000,
    })
    const shown = plain(output)
    assert.equal(killed, false, `jest did not exit within 60 s after reporting the leak:\n${shown}`)
    assert.equal(exitCode, 1, shown)
    assert.match(shown, /LeakError: test "leaves a server listening and an interval running" left 2 resources open/)
    assert.match(
      shown,
      new RegExp(
        `created at (?:\\S+ \\()?leaks\\.test\\.js:${lineOf('jest/exits', 'leaks.test.js', '// leak:server')}:`,
      ),
    )
    assert.match(
      shown,
      new RegExp(
        `created at (?:\\S+ \\()?leaks\\.test\\.js:${lineOf('jest/exits', 'leaks.test.js', '// leak:interval')}:`,
      ),
    )
    assert.match(shown, /Tests: +1 failed, 1 passed, 2 total/)
    assert.doesNotMatch(shown, /did not exit one second after/)
  })

  test('an ES module outside jest imports every name of leakwatch/jest, LeakError included', async () => {
    const source = [
      "import { allowLeaks, assertCleanShutdown, configure, expectNoLeaks, LeakError, resourceDelta, watch } from 'leakwatch/jest'",
      'console.log(JSON.stringify([allowLeaks, assertCleanShutdown, configure, expectNoLeaks, resourceDelta, watch].map((f) => typeof f)))',
      // The class lives in jest's worker realm, set up by jest: outside jest there is none.
      'console.log(String(LeakError))',
    ].join('\n')
    const { exitCode, stdout, stderr } = await runNode(['--input-type=module', '-e', source], {
      cwd: REPO_ROOT,
      timeoutMs: 30_000,
    })
    assert.equal(exitCode, 0, stderr)
    assert.equal(stdout, `${JSON.stringify(Array(6).fill('function'))}\nundefined\n`)
  })
})
