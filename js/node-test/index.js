// leakwatch for node:test: root-level hooks that check every test of a file after it ends and fail the test that
// leaked, with the same report as leakwatch/vitest.
//
// Loaded once per test file: `import 'leakwatch/node-test'` at the top of the file, or `node --import
// leakwatch/node-test --test`, which node:test (Node 20) runs in each file's own process and not in the process that
// runs the files. Hooks registered at the top level belong to node:test's root test, so they apply to every test and
// subtest of the file. Module-level code and `before` hooks belong to the file's scope, checked when the file ends.
//
// Ordering is what makes this work. node:test runs a test's afterEach hooks (its describe's own first, then the
// root's in the order they were added, ours first), then the test's own `after` hooks (`t.after()`) in the order they
// were added, and a hook that throws fails the test. So our afterEach adds a `t.after()` hook: it runs after every
// cleanup the user wrote. The root's `after` hooks run in order too, and a hook added while they run runs last: our
// root `after` hook adds the file's check that way.

import { AsyncResource, executionAsyncResource } from 'node:async_hooks'
import path from 'node:path'
import { after, afterEach, beforeEach } from 'node:test'
import vm from 'node:vm'
import { LeakError } from '../core/leak-error.js'
import { workerTracker } from '../core/leak-tracker.js'
import { ReportedResources } from '../core/reported-resources.js'
import { bindTestApi } from '../core/test-api.js'
import { TestFileSession } from '../core/test-file-session.js'
import { releaseFinishedTests } from './finished-tests.js'

/** node:test's own code: what it makes with no frame of the user's (a hook's abort listener) is not a leak. */
const NODE_TEST_DIR = 'node:internal/test_runner/'

/** node:test's file hooks: `before` makes what `after` must close. */
const FILE_HOOKS = Object.freeze({
  setup: 'before',
  hint: 'Resources made at module level or in before() belong to the file: close them in after().',
})

/**
 * node:test reports from the test's own process: when its output backs up, its stream waits for 'drain' on the
 * reporter's stream with only Node's frames on the stack (none of node:test's own files): its listener, not the test's.
 */
const RUNNER_STREAM_RULE = Object.freeze({
  kind: 'Listener',
  event: 'drain',
  createdBy: /\n\s+at TestsStream\.ondata \(node:/,
})

/**
 * `node --test` imports `--import` modules in each file's process (NODE_TEST_CONTEXT set) and, on newer Node
 * versions, in the process that runs the files: there are no tests to check there.
 */
const isTestOrchestrator = process.env.NODE_TEST_CONTEXT === undefined && process.execArgv.includes('--test')

const testFilePath = process.argv[1] ? path.resolve(process.argv[1]) : undefined

const tracker = workerTracker()

/** @type {TestFileSession | null} the test file's session; none in the process that runs the files */
let session = null

/** The scope of each running test, by the TestContext node:test passes to its hooks (one object per test). */
const testScopes = new WeakMap()

/** The signal of each test's scope: node:test aborts it once the test's last hook has run. */
const testSignals = new WeakMap()

/**
 * What was reported in this file, weakly: unref'd when the file ends, since node:test waits for a test file's process
 * to exit, which a leaked server or interval prevents for ever (Node 20 has no --test-force-exit).
 */
const reported = new ReportedResources()

/**
 * node:test gives a root `after()` hook to the test it is called from, found through the async context: calls made
 * in this resource's scope (created before node:test's own async hook) reach the root from inside a hook.
 */
const outsideTests = new AsyncResource('LEAKWATCH_NODE_TEST', { requireManualDestroy: true })

/**
 * node:test names a failing root `after()` hook by the file of the code that added it. The file's check is added
 * through this function, compiled as part of the test file, so that a file that leaks fails under its own name
 * rather than leakwatch's.
 */
const addRootAfterHook = testFilePath
  ? vm.runInThisContext('(addHook, hook) => addHook(hook)', { filename: testFilePath })
  : (addHook, hook) => addHook(hook)

/**
 * node:test runs a test's body as `test.runInAsyncScope(fn, ctx, ctx)`, with the TestContext our beforeEach hook was
 * given: running `fn` in the test's scope's async context there gives the body, and everything it starts whenever it
 * lands, to its own test, while tests run concurrently too. (Inside `fn`, not around the call: runInAsyncScope
 * switches to the test's own async resource, whose context is the one it was created in.) The hooks run outside it:
 * what they make goes to the running test, by the clock, as before.
 */
function runTestBodiesInTheirScope() {
  const original = AsyncResource.prototype.runInAsyncScope
  const runInAsyncScope = function (fn, thisArg, ...args) {
    const scope = thisArg == null || typeof fn !== 'function' ? undefined : testScopes.get(thisArg)
    if (scope === undefined || scope.ended) return original.call(this, fn, thisArg, ...args)
    const inScope = function (...fnArgs) {
      return tracker.runInScope(scope, () => Reflect.apply(fn, this, fnArgs))
    }
    return original.call(this, inScope, thisArg, ...args)
  }
  Object.defineProperty(runInAsyncScope, 'name', { value: original.name })
  Object.defineProperty(runInAsyncScope, 'length', { value: original.length })
  AsyncResource.prototype.runInAsyncScope = runInAsyncScope
}

if (!isTestOrchestrator) {
  tracker.runnerDirs = [NODE_TEST_DIR]
  acceptRunnerStream()
  tracker.start()
  runTestBodiesInTheirScope()
  // The first hook sets up node:test's harness (its process listeners, its reporter stream): before the file's scope.
  beforeEach(openTestScope)
  afterEach(scheduleTestCheck)
  after(scheduleFileCheck)
  session = new TestFileSession(tracker, {
    warn: (text) => console.warn(text),
    // The test file, relative to the working directory (node --test runs each file with it as `argv[1]`).
    fileName: testFilePath ? path.relative(process.cwd(), testFilePath).split(path.sep).join('/') : undefined,
    fileHooks: FILE_HOOKS,
    beforeRelease: (scope) => reported.remember(scope),
  })
}

/** node:test's own stream is accepted, whatever ignore rules the user sets. */
function acceptRunnerStream() {
  const { ignore } = tracker.options
  if (!ignore.includes(RUNNER_STREAM_RULE)) tracker.configure({ ignore: [...ignore, RUNNER_STREAM_RULE] })
}

/** The innermost running test that `name` is a subtest of (`parent > sub`), or null. */
function runningParent(name) {
  let parent = null
  for (const scope of session.running) {
    if (
      name.startsWith(`${scope.testName} > `) &&
      (parent === null || scope.testName.length > parent.testName.length)
    ) {
      parent = scope
    }
  }
  return parent
}

async function openTestScope(t) {
  if (!session.checksTests) return
  noteSkips(t)
  await endUncheckedScopes()
  // `fullName` (`describe > test`) came to Node 20 in 20.16; before, the test's own name.
  const name = t.fullName ?? t.name
  // A subtest (`t.test()`) runs inside its parent test: its resources are its parent's too. Tests that run at the
  // same time (`{ concurrency }`) are told apart from it by the session.
  const scope = session.startTest(name, runningParent(name))
  // node:test made the test's signal before the test, and the test may listen on it: it is the test's own.
  if (t.signal) {
    tracker.adoptEmitter(t.signal, scope)
    testSignals.set(scope, t.signal)
  }
  testScopes.set(t, scope)
}

/**
 * Test contexts that called `t.skip()`. Node 20 and 22 run no afterEach hook after it; Node 24 and later do, and
 * a hook's error then lands on a test reported as skipped, which fails nothing. Either way the leak is a warning.
 */
const skippedContexts = new WeakSet()

/** Marks each context that calls `t.skip()`, on the prototype the first test's context shows. */
function noteSkips(t) {
  const prototype = Object.getPrototypeOf(t)
  if (prototype === null || prototype.skip?.[NOTES_SKIP] || typeof prototype.skip !== 'function') return
  const original = prototype.skip
  const skip = function (...args) {
    skippedContexts.add(this)
    return Reflect.apply(original, this, args)
  }
  skip[NOTES_SKIP] = true
  Object.defineProperty(skip, 'name', { value: original.name })
  prototype.skip = skip
}
const NOTES_SKIP = Symbol('leakwatch.notesSkip')

/** Scopes a late check is under way for (two tests may start at once): checked once. */
const lateChecks = new WeakSet()

const SKIPPED_NOTE =
  "  This test called t.skip(): it is reported as skipped, so this is a warning. The resources above are unref'd " +
  'when the file ends, so the run still ends.'

const LATE_CHECK_NOTE =
  "  This test ended without leakwatch's check (it called t.skip(), after which node:test runs no afterEach hook, or " +
  'an afterEach hook threw): its result was reported already, so this is a warning. The resources above are ' +
  "unref'd when the file ends, so the run still ends."

/**
 * Checks and ends the scopes of tests that are over but whose afterEach hooks did not run: a test that called
 * `t.skip()` (node:test runs no afterEach hook after it), or whose afterEach hook before ours threw. Their result is
 * out already, so a leak is printed as a warning naming the test; its resources are unref'd with the file's
 * reported ones, so the run still ends.
 * @param {boolean} [all] the file is over: every test still running is over too
 */
async function endUncheckedScopes(all = false) {
  // The latest started first: a subtest's leaks are its own before they are its parent's.
  const over = session.running.filter((scope) => all || testSignals.get(scope)?.aborted).reverse()
  for (const scope of over) {
    if (lateChecks.has(scope)) continue
    lateChecks.add(scope)
    try {
      const { error } = await session.finishTest(scope, { figures: false })
      if (error) console.warn(`[leakwatch] ${error.message}\n${LATE_CHECK_NOTE}`)
    } catch (error) {
      console.warn(
        `[leakwatch] the leak check of ${scope.subject}, which ended unchecked, failed: ${error?.stack ?? error}`,
      )
    }
  }
}

function scheduleTestCheck(t) {
  const scope = testScopes.get(t)
  if (scope === undefined) return
  // Added now, after the test's own `t.after()` hooks: it runs after every cleanup (see the top of this file).
  t.after(() => checkTest(t, scope))
}

async function checkTest(t, scope) {
  if (!session.running.includes(scope)) return
  // This hook's own signal, which node:test listens on while the hook runs, is born before the test: it is the
  // test's own too (an EventTarget node:test makes inside is not seen being born).
  const hook = executionAsyncResource()
  if (hook?.signal instanceof AbortSignal) tracker.adoptEmitter(hook.signal, scope)
  const reportedElsewhere = (result) => reportedToFailedTest(t, result)
  const { error } = await session.finishTest(scope, { figures: false, reportedElsewhere })
  if (error && skippedContexts.has(t)) console.warn(`[leakwatch] ${error.message}\n${SKIPPED_NOTE}`)
  else if (error) throw error
}

/**
 * A test that failed already shows its first error only: the report goes out as a diagnostic of the test. (On a
 * Node 20 release without `t.error`, before 20.12, such a report is lost with the second error.)
 */
function reportedToFailedTest(t, result) {
  if (t.error == null || result.leaks.length === 0) return false
  t.diagnostic(`leakwatch: ${result.text}`)
  return true
}

function scheduleFileCheck() {
  // Added while the root's `after` hooks run, it runs after those the test file added: its after() cleanup counts.
  outsideTests.runInAsyncScope(() => addRootAfterHook(after, checkFile))
}

async function checkFile() {
  // Before anything awaits: this is the root `after` hook node:test runs now.
  const hook = executionAsyncResource()
  await endUncheckedScopes(true)
  releaseFinishedTests(hook)
  const { error } = await session.finishFile().finally(() => reported.unrefAll())
  if (error) {
    // Node 24 and later report a failing root after() hook of a file run directly (`node file.test.mjs`) but leave
    // the exit code at 0; under --test, the file's process exits 1 for it already.
    process.exitCode = 1
    throw error
  }
}

/**
 * Sets options for this test file's process (settle window, kinds, unref handling, ignore rules, baseline, fail or
 * warn). Unknown keys and wrong types throw a TypeError naming the key and what it accepts.
 */
export function configure(options) {
  tracker.configure(options)
  acceptRunnerStream()
}

/** The test file's session: there is none in the process that runs the files. */
function currentSession(api) {
  if (session === null)
    throw new Error(`leakwatch: ${api} was called in the process that runs the test files; call it in a test file`)
  return session
}

// expectNoLeaks, watch, allowLeaks, resourceDelta: typed and documented as TestApi in js/index.d.ts.
export const { expectNoLeaks, watch, allowLeaks, resourceDelta } = bindTestApi(currentSession)

export { LeakError }
