// leakwatch/node-test: node:test itself runs the fixture files under __test__/fixtures/node-test, loaded both ways (an
// `import 'leakwatch/node-test'` at the top of each file, and `node --import leakwatch/node-test --test` on files
// that do not import it), and each test below asserts on the outcome: the same leaks as the vitest fixtures fail the
// test that made them with the same report, and the clean twins pass.

import assert from 'node:assert/strict'
import path from 'node:path'
import { before, describe, test } from 'node:test'
import { runNodeTest } from './helpers/run-node-test.mjs'
import { FIXTURES, lineOf } from './helpers/run-vitest.mjs'

const FIXTURE = 'node-test'
const DIR = path.join(FIXTURES, FIXTURE)
const PER_FILE = [
  'kinds.test.mjs',
  'cleanup.test.mjs',
  'api.test.mjs',
  'module-level.test.mjs',
  'before-after-clean.test.mjs',
  'concurrent.test.mjs',
  'concurrent-calls.test.mjs',
  'warn.test.mjs',
  'keep-alive-agent.test.mjs',
  'observer.test.mjs',
]

function escaped(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Assertions on one run's outcome. */
function outcomeOf(getRun) {
  function result(file, name) {
    const found = getRun().tests.get(`${file} > ${name}`)
    assert.ok(found, `no result for ${file} > ${name}; have:\n${[...getRun().tests.keys()].join('\n')}`)
    return found
  }

  function assertPassed(file, name) {
    const found = result(file, name)
    assert.equal(found.type, 'test:pass', `${file} > ${name} should pass; it failed:\n${found.error?.message}`)
  }

  /**
   * The test failed with a LeakError thrown after its cleanup hooks (node:test: a failed `after` hook), whose report
   * has the vitest adapter's form: `test "<full name>" left ...`, the resource in words, `created at` the marked
   * line with a code frame, and the fix hints.
   */
  function assertLeaked(file, name, { fullName = name, description, marker, left = '1 resource open' }) {
    const found = result(file, name)
    assert.equal(found.type, 'test:fail', `${file} > ${name} should fail; it passed`)
    const { failureType, name: errorName, message } = found.error
    assert.equal(errorName, 'LeakError', message)
    assert.equal(failureType, 'hookFailed', message)
    assert.ok(message.startsWith(`test "${fullName}" left ${left}\n`), message)
    assert.match(message, description)
    const line = lineOf(FIXTURE, file, marker)
    assert.match(message, new RegExp(`created at (?:\\S+ \\()?${escaped(file)}:${line}:\\d+`), message)
    assert.match(message, new RegExp(`> ${line} \\|.*${escaped(marker)}`), 'the code frame shows the line')
    assert.match(message, /\n {2}Fix: close what was opened before the test ends/)
    return message
  }

  return { result, assertPassed, assertLeaked }
}

describe('node:test with `import "leakwatch/node-test"` in each file', () => {
  /** @type {Awaited<ReturnType<typeof runNodeTest>>} */
  let run
  before(async () => {
    run = await runNodeTest(DIR, PER_FILE)
  })
  const { result, assertPassed, assertLeaked } = outcomeOf(() => run)

  test('the run ends by itself with failures: the leaks the tests left do not hold their files open', () => {
    assert.equal(run.killed, false, 'the run was killed after its timeout')
    assert.equal(run.exitCode, 1, run.stderr)
    assert.doesNotMatch(run.stderr, /Segmentation fault|Error \[ERR_|Unhandled/)
  })

  const KINDS = [
    [
      'leaky TCP server',
      'clean TCP server',
      'leak:tcp-server',
      /● TCP server listening on 127\.0\.0\.1:\d+ {2}\(keeps the process alive\)/,
    ],
    [
      'leaky TCP client socket',
      'clean TCP client socket',
      'leak:tcp-socket',
      /● TCP socket 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+/,
    ],
    ['leaky interval', 'clean interval', 'leak:interval', /● Interval every 30000 ms/],
    ['leaky timeout', 'clean timeout', 'leak:timeout', /● Timeout after 60000 ms/],
    ['leaky child process', 'clean child process', 'leak:child', /● Child process pid \d+ \(sleep 30\)/],
    [
      'leaky SIGTERM listener',
      'clean SIGTERM listener',
      'leak:sigterm',
      /● listener for "SIGTERM" on process {2}\(still attached/,
      '1 listener attached',
    ],
    [
      'leaky watched app kept in a module-level array',
      'clean watched app',
      'leak:retained',
      /● App instance \(watched as "app"\) still reachable after GC[^]*retained by:[^]*variable registry/,
      '1 object still reachable',
    ],
  ]
  for (const [leaky, clean, marker, description, left] of KINDS) {
    test(`kinds: "${leaky}" fails, naming the resource and its line; "${clean}" passes`, () => {
      assertLeaked('kinds.test.mjs', leaky, { description, marker, left })
      assertPassed('kinds.test.mjs', clean)
    })
  }

  test('cleanup in a root afterEach added after leakwatch, in a describe afterEach, and in t.after() counts', () => {
    assertPassed('cleanup.test.mjs', 'server closed in a root afterEach')
    assertPassed('cleanup.test.mjs', 'interval cleared in t.after')
    assertPassed('cleanup.test.mjs', 'server from beforeEach closed in afterEach')
  })

  test('a test in a describe is named with its describe chain, as under vitest', () => {
    assertLeaked('cleanup.test.mjs', 'leak inside a describe', {
      fullName: 'a describe with its own hooks > leak inside a describe',
      description: /● Interval every 40000 ms/,
      marker: 'leak:describe-interval',
    })
  })

  test('subtests are checked on their own: the leaky one fails, its clean sibling passes', () => {
    assertLeaked('cleanup.test.mjs', 'leaky subtest', {
      fullName: 'parent with subtests > leaky subtest',
      description: /● Timeout after 50000 ms/,
      marker: 'leak:subtest-timeout',
    })
    assertPassed('cleanup.test.mjs', 'clean subtest')
    // The parent fails for its failed subtest, not for the subtest's timer a second time.
    assert.equal(result('cleanup.test.mjs', 'parent with subtests').error.failureType, 'subtestsFailed')
  })

  test('a test that fails and leaks keeps its own error; the leak report follows as its diagnostic', () => {
    const failed = result('cleanup.test.mjs', 'a failing test that also leaks')
    assert.equal(failed.type, 'test:fail')
    assert.equal(failed.error.message, 'the assertion failed first')
    const index = run.events.indexOf(failed)
    const diagnostic = run.events[index + 1]
    assert.equal(diagnostic?.type, 'test:diagnostic', 'no diagnostic right after the failed test')
    assert.ok(
      diagnostic.message.startsWith('leakwatch: test "a failing test that also leaks" left 1 resource open'),
      diagnostic.message,
    )
    assert.match(
      diagnostic.message,
      new RegExp(
        `created at (?:\\S+ \\()?cleanup\\.test\\.mjs:${lineOf(FIXTURE, 'cleanup.test.mjs', 'leak:failing')}:`,
      ),
    )
  })

  test("a test whose describe's afterEach throws before leakwatch's ends unchecked; the next test is checked on its own", () => {
    const failed = result('cleanup.test.mjs', 'a test whose afterEach throws')
    assert.equal(failed.error.message, 'the afterEach failed')
    const message = assertLeaked('cleanup.test.mjs', 'the test after it is checked on its own', {
      description: /● Timeout after 55000 ms/,
      marker: 'leak:after-failed-hook',
    })
    // The earlier test's scope was ended, not left running beside this one.
    assert.doesNotMatch(message, /tests ran concurrently/)
  })

  test('module level and root before(): never closed, the file fails under its own name, its test passes', () => {
    assertPassed('module-level.test.mjs', 'uses the module-level poller and the never-closed server')
    const file = result('module-level.test.mjs', '(file)')
    assert.equal(file.type, 'test:fail')
    assert.equal(file.error.name, 'LeakError')
    const { message } = file.error
    assert.ok(
      message.startsWith('file module-level.test.mjs (module level and before) left 2 resources open\n'),
      message,
    )
    assert.match(message, /● Interval every 20000 ms/)
    assert.match(message, /● TCP server listening on 127\.0\.0\.1:\d+/)
    for (const marker of ['leak:module-interval', 'leak:before-server']) {
      assert.match(
        message,
        new RegExp(`created at module-level\\.test\\.mjs:${lineOf(FIXTURE, 'module-level.test.mjs', marker)}:`),
      )
    }
    assert.ok(message.includes('close them in after()'), message)
  })

  test("a root before() server closed in the file's own after() passes: leakwatch's file check runs after it", () => {
    assertPassed('before-after-clean.test.mjs', 'uses the shared server')
    assertPassed('before-after-clean.test.mjs', 'uses it again')
    assert.equal(run.tests.get('before-after-clean.test.mjs > (file)'), undefined, 'the file failed')
    // Files whose tests leaked but whose own scope is clean do not fail as files either.
    assert.equal(run.tests.get('kinds.test.mjs > (file)'), undefined, 'kinds.test.mjs failed as a file')
  })

  test('expectNoLeaks, allowLeaks, resourceDelta, configure and their errors work inside node:test tests', () => {
    for (const name of [
      'expectNoLeaks(fn) rejects for a leaky fn',
      'expectNoLeaks(fn) resolves for a clean fn',
      'allowed leak',
      'resourceDelta counts what is open and what was created',
      'a timer accepted by an ignore rule',
      'bad input gets a clear error',
    ]) {
      assertPassed('api.test.mjs', name)
    }
  })

  test('expectNoLeaks() mid-test fails the test once: the end-of-test check does not report it again', () => {
    const { type, error } = result('api.test.mjs', 'expectNoLeaks() mid-test reports once')
    assert.equal(type, 'test:fail')
    // Thrown by the test body, not by leakwatch's hook at the end.
    assert.equal(error.failureType, 'testCodeFailure')
    assert.ok(
      error.message.startsWith('test "expectNoLeaks() mid-test reports once" left 1 resource open'),
      error.message,
    )
    const line = lineOf(FIXTURE, 'api.test.mjs', 'leak:expect-mid')
    assert.match(error.message, new RegExp(`called from TestContext\\.<anonymous> \\(api\\.test\\.mjs:${line}:`))
  })

  test('concurrent tests ({ concurrency }): no false leak among clean ones; one leak fails one test, saying attribution is uncertain', () => {
    for (const name of ['quick clean', 'slow clean', 'slowest clean']) assertPassed('concurrent.test.mjs', name)
    // Each body runs in its test's async context: Node's listeners on a neighbour's request are the neighbour's.
    for (let index = 0; index < 5; index++) {
      assertPassed('concurrent.test.mjs', `http.get ${index}`)
      assertPassed('concurrent.test.mjs', `fetch ${index}`)
    }
    const names = ['concurrent leak', 'concurrent neighbour', 'concurrent late neighbour']
    const failed = names
      .map((name) => result('concurrent.test.mjs', name))
      .filter((found) => found.type === 'test:fail')
    assert.equal(
      failed.length,
      1,
      names.map((name) => `${name}: ${result('concurrent.test.mjs', name).type}`).join('\n'),
    )
    const { message } = failed[0].error
    assert.match(message, /Interval every 45000 ms/)
    assert.match(
      message,
      new RegExp(
        `created at (?:\\S+ \\()?concurrent\\.test\\.mjs:${lineOf(FIXTURE, 'concurrent.test.mjs', 'leak:concurrent')}:`,
      ),
    )
    assert.match(message, /tests ran concurrently: some of these may belong to another test of this file/)
  })

  test("concurrent tests: allowLeaks() accepts its caller's leak and not its neighbour's; the other calls act on their caller", () => {
    assertPassed('concurrent-calls.test.mjs', 'calls allowLeaks() while its neighbour runs')
    const neighbour = assertLeaked('concurrent-calls.test.mjs', 'leaks while its neighbour calls allowLeaks()', {
      fullName: 'allowLeaks() beside a leaky neighbour > leaks while its neighbour calls allowLeaks()',
      description: /● Interval every 47000 ms/,
      marker: 'leak:beside-allow',
    })
    assert.doesNotMatch(neighbour, /Timeout after 46 ms/)
    // The fixture asserts what watch(), resourceDelta() and expectNoLeaks() did.
    assertPassed('concurrent-calls.test.mjs', 'watch(), resourceDelta() and expectNoLeaks() act on their caller')
    assertPassed('concurrent-calls.test.mjs', 'partner')
  })

  test('no observer effect: a server the test closed is collected as without leakwatch', () => {
    for (const attempt of [1, 2, 3])
      assertPassed('observer.test.mjs', `a closed server is collected, attempt ${attempt}`)
  })

  test("one keep-alive agent shared by a file's tests: Node's own listeners on the pooled socket fail no test", () => {
    for (const index of [1, 2, 3]) assertPassed('keep-alive-agent.test.mjs', `request ${index} on the pooled socket`)
  })

  test("onLeak: 'warn' prints the report and lets the test pass", () => {
    assertPassed('warn.test.mjs', 'leaky test in warn mode')
    const printed = run.events
      .filter((event) => event.type === 'test:stderr' && event.file?.endsWith('warn.test.mjs'))
      .map((event) => event.message)
      .join('')
    assert.ok(printed.includes('[leakwatch] test "leaky test in warn mode" left 1 resource open'), printed)
    assert.ok(printed.includes(`warn.test.mjs:${lineOf(FIXTURE, 'warn.test.mjs', 'leak:warn-interval')}:`), printed)
  })
})

describe("closed servers after the file: what only node:test's bookkeeping holds is not retained", () => {
  /** @type {Awaited<ReturnType<typeof runNodeTest>>} */
  let run
  before(async () => {
    // LEAKWATCH_PROFILE=1: the heap analyser says on stderr when it runs, i.e. when a file's check took a snapshot.
    run = await runNodeTest(
      DIR,
      ['retention-t-after.test.mjs', 'retention-watch.test.mjs', 'retention-leak.test.mjs'],
      {
        env: { ...process.env, LEAKWATCH_PROFILE: '1' },
      },
    )
  })
  const { result, assertPassed } = outcomeOf(() => run)

  /** Whether the heap analyser ran in `file`'s process. */
  function snapshotTaken(file) {
    return run.events.some(
      (event) =>
        event.type === 'test:stderr' &&
        event.file?.endsWith(file) &&
        event.message.startsWith('leakwatch profile: parse'),
    )
  }

  test("servers closed in t.after(), captured in a loop or by subtests, or one server shared by a describe's tests pass (they failed before)", () => {
    assert.equal(
      run.tests.get('retention-t-after.test.mjs > (file)'),
      undefined,
      run.tests.get('retention-t-after.test.mjs > (file)')?.error?.message,
    )
    for (const name of ['route sends', 'route reads', 'route deletes', 'users routes', 'orders routes'])
      assertPassed('retention-t-after.test.mjs', name)
  })

  test("the file's check takes no heap snapshot when only node:test's bookkeeping holds what the tests closed", () => {
    // node:test's functions of finished tests and hooks are dropped before the file's GC: what only they held is
    // collected, and nothing is left for a snapshot to decide.
    assert.equal(snapshotTaken('retention-t-after.test.mjs'), false)
    // What the program holds is still alive after that GC: the snapshot decides, and names the path (below).
    assert.equal(snapshotTaken('retention-leak.test.mjs'), true)
  })

  test("watch(app) with the app closed in t.after(): node:test's hook holding it is not a leak, first test or later", () => {
    for (const name of ['route sends', 'route reads', 'route deletes']) assertPassed('retention-watch.test.mjs', name)
    assert.equal(
      run.tests.get('retention-watch.test.mjs > (file)'),
      undefined,
      run.tests.get('retention-watch.test.mjs > (file)')?.error?.message,
    )
  })

  test('servers a module-level Map keeps fail the file, the Map on the path and not node:test', () => {
    const file = result('retention-leak.test.mjs', '(file)')
    assert.equal(file.type, 'test:fail')
    const { message } = file.error
    assert.ok(message.startsWith('file retention-leak.test.mjs left 3 objects still reachable\n'), message)
    assert.match(message, /● 3 × Server instance \(a server its test closed\) still reachable after GC/)
    const line = lineOf(FIXTURE, 'retention-leak.test.mjs', 'leak:registered-server')
    assert.match(message, new RegExp(`created at retention-leak\\.test\\.mjs:${line}:`))
    assert.match(
      message,
      /↓ variable startedServers\n[\s│]+├─ Map instance[\s\S]*↓ Map entry[^\n]*\n[\s│]+╰→ Server instance/,
    )
    assert.match(
      message,
      /3 servers and sockets the tests closed are still reachable after GC \(tests: "route sends", "route reads", "route deletes"\)/,
    )
    assert.doesNotMatch(message, /TestHook|testResources|LeakTracker/)
  })
})

describe('a test that calls t.skip() after opening resources (node:test runs no afterEach hook for it)', () => {
  /** @type {Awaited<ReturnType<typeof runNodeTest>>} */
  let run
  before(async () => {
    run = await runNodeTest(DIR, ['skip.test.mjs'], { timeoutMs: 60_000 })
  })
  const { result } = outcomeOf(() => run)

  function printed() {
    return run.events
      .filter((event) => event.type === 'test:stderr')
      .map((event) => event.message)
      .join('')
  }

  test("the run ends by itself: what the skipped tests left open is unref'd when the file ends", () => {
    assert.equal(run.killed, false, "the run was killed after its timeout: a skipped test's interval held it open")
    // The one failure is the todo test's, which node:test does not count.
    assert.equal(run.exitCode, 0, run.stderr)
  })

  test("the skipped test's leak is a warning naming the test and the line, when the next test starts or the file ends", () => {
    const text = printed()
    for (const [name, description, marker] of [
      ['opens an interval, then skips', 'Interval every 43000 ms', 'leak:skip'],
      ['the last test opens a timeout, then skips', 'Timeout after 45000 ms', 'leak:last-skip'],
    ]) {
      const start = text.indexOf(`[leakwatch] test "${name}" left 1 resource open\n`)
      assert.ok(start >= 0, `no warning for "${name}" in:\n${text}`)
      const next = text.indexOf('[leakwatch]', start + 1)
      const warning = text.slice(start, next < 0 ? undefined : next)
      assert.ok(warning.includes(`● ${description}`), warning)
      assert.match(
        warning,
        new RegExp(`created at (?:\\S+ \\()?skip\\.test\\.mjs:${lineOf(FIXTURE, 'skip.test.mjs', marker)}:`),
      )
      // Node 20 and 22 run no afterEach hook after t.skip(): the test is checked when the next one starts. Node 24 and
      // later run it: the test is checked as it ends. A warning either way.
      assert.match(
        warning,
        /This test (?:ended without leakwatch's check \(it called t\.skip\(\)|called t\.skip\(\): it is reported as skipped)/,
      )
    }
    assert.equal(result('skip.test.mjs', 'opens an interval, then skips').type, 'test:pass')
    // The skipped test's interval is not the next test's.
    assert.equal(result('skip.test.mjs', 'the test after it is checked on its own').type, 'test:pass')
  })

  test('t.todo() runs the afterEach hooks: the leak fails the todo test', () => {
    const todo = result('skip.test.mjs', 'opens an interval, then marks itself todo')
    assert.equal(todo.type, 'test:fail')
    assert.equal(todo.error.name, 'LeakError')
    assert.match(todo.error.message, /● Interval every 44000 ms/)
  })
})

describe('node:test with `node --import leakwatch/node-test --test` (no import in the files)', () => {
  /** @type {Awaited<ReturnType<typeof runNodeTest>>} */
  let run
  before(async () => {
    run = await runNodeTest(DIR, ['import-flag/leaky.test.mjs', 'import-flag/clean.test.mjs'], { importFlag: true })
  })
  const { assertPassed, assertLeaked } = outcomeOf(() => run)

  test("--import runs in each test file's process: its leaky tests fail, naming the line", () => {
    assert.equal(run.killed, false, 'the run was killed after its timeout')
    assert.equal(run.exitCode, 1, run.stderr)
    assertLeaked('import-flag/leaky.test.mjs', 'leaky server (import flag)', {
      fullName: 'a service > leaky server (import flag)',
      description: /● TCP server listening on 127\.0\.0\.1:\d+/,
      marker: 'leak:flag-server',
    })
    assertLeaked('import-flag/leaky.test.mjs', 'leaky SIGTERM listener (import flag)', {
      fullName: 'a service > leaky SIGTERM listener (import flag)',
      description: /● listener for "SIGTERM" on process/,
      marker: 'leak:flag-sigterm',
      left: '1 listener attached',
    })
  })

  test('and its clean tests pass, in that file and in a file with no leak at all', () => {
    assertPassed('import-flag/leaky.test.mjs', 'clean server (import flag)')
    assertPassed('import-flag/clean.test.mjs', 'clean interval (import flag)')
    assertPassed('import-flag/clean.test.mjs', 'clean child process (import flag)')
  })
})

describe('a test file run directly, `node file.test.mjs` (no --test)', () => {
  test('the per-file import checks it the same way: the file fails for its module-level leaks', async () => {
    const run = await runNodeTest(DIR, ['module-level.test.mjs'], { direct: true })
    assert.equal(run.killed, false, 'the run was killed after its timeout')
    assert.equal(run.exitCode, 1, run.stderr)
    const file = run.events.find((event) => event.type === 'test:fail')
    assert.ok(file, `no failure in ${JSON.stringify(run.events)}`)
    assert.ok(
      file.error.message.startsWith('file module-level.test.mjs (module level and before) left 2 resources open'),
      file.error.message,
    )
    assert.equal(
      run.tests.get('module-level.test.mjs > uses the module-level poller and the never-closed server')?.type,
      'test:pass',
    )
  })
})
