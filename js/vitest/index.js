// leakwatch for vitest: a `setupFiles` entry that checks every test after it ends and fails the test that leaked.
//
// vitest evaluates setup files once per test file, before the file is imported, so this module's top level opens
// the file's session (module-level code and beforeAll belong to the file) and registers the hooks of that file. The
// tracker and its async hook exist once per worker. Each test runs, its hooks included, in its own async context
// (an aroundEach hook, the outermost: a setup file's hooks come first), so what the test's code starts is its own
// whenever it lands and whatever runs beside it. A test's check runs in `onTestFinished`, which vitest calls after
// every afterEach hook, so cleanup done there counts; a failure there fails that test.

import * as vitest from 'vitest'
import { LeakError } from '../core/leak-error.js'
import { workerTracker } from '../core/leak-tracker.js'
import { failedByTestLeaks } from '../core/report-meta.js'
import { bindTestApi } from '../core/test-api.js'
import { TestFileSession } from '../core/test-file-session.js'
import { untrackRunnerTimers } from './runner-timers.js'
import { assertSupportedVitest } from './supported-version.js'

const { chai } = vitest

// A test runs in an aroundEach hook and the file's check wraps the whole file (see below): vitest has both since 4.1.
assertSupportedVitest(vitest)

/**
 * The timeout of leakwatch's hooks: none. Its own waits are bounded (the settle window, a GC, a heap snapshot whose
 * time grows with the heap, which a hook timeout would cut short), and the test inside keeps its own timeout. With
 * one, vitest would make a timer per test and hook, each recorded with its creation stack.
 */
const NO_HOOK_TIMEOUT = 0

const tracker = workerTracker()
tracker.runnerDirs = ['/node_modules/vitest/', '/node_modules/@vitest/', '/node_modules/tinypool/']
tracker.start()
untrackRunnerTimers(tracker.untracked)

/** The worker slot vitest runs this file in (1 to maxWorkers), or null outside a pool. */
function workerId() {
  const id = Number(process.env.VITEST_POOL_ID)
  return Number.isInteger(id) ? id : null
}

/**
 * The test file being set up: vitest makes its task before it runs the setup files. vitest runs each setup file
 * anew for every test file, even a module a setup file listed before this one has imported already: that evaluates
 * this module twice for one test file. The second evaluation must find the first one's session (its hooks are
 * registered, and the user's setup file configured it), not reset the options and check every test twice.
 */
const fileTask = globalThis.__vitest_worker__?.current
/** @type {WeakMap<object, TestFileSession>} each test file's session, by its task; a WeakMap holds no finished file */
const sessions = (globalThis[Symbol.for('leakwatch.vitest.sessions')] ??= new WeakMap())

/** This file's session. Module state is per test file (see above). vitest swaps `console` to capture output. */
const session = (fileTask && sessions.get(fileTask)) ?? setUpFile()

function setUpFile() {
  // With `isolate: false` a worker runs several files: options set by one file's configure() must not carry over.
  // Setup files run again for every file, so a user's own setup file configures each file anew.
  tracker.resetOptions()
  const fileSession = new TestFileSession(tracker, { warn: (text) => console.warn(text), workerId: workerId() })
  if (fileTask) sessions.set(fileTask, fileSession)
  registerHooks(fileSession)
  return fileSession
}

/** Learns the file's name, and the run's root: creation sites are shown relative to the root, as vitest shows files. */
function setFileAndRoot(fileSession, task) {
  const name = task?.name
  fileSession.fileName = name
  const filepath = task?.filepath
  if (name && filepath?.endsWith(name)) tracker.root = filepath.slice(0, -name.length)
}

/** `describe > test`, without the file. */
function testName(task) {
  const names = [task.name]
  for (let suite = task.suite; suite && suite !== task.file; suite = suite.suite) names.unshift(suite.name)
  return names.join(' > ')
}

/**
 * Why vitest cannot be told that a test leaked by an error thrown at its end, or null when it can: such a test's
 * LeakError fails the file instead.
 * - `test.fails`: vitest counts any error the test ends with as the failure it expects, and passes the test.
 * - a test that called `ctx.skip()` after it had opened something: vitest reports it skipped and drops the errors
 *   of its end. Its leak is real all the same (what it opened stays open for the rest of the file), and a skip must
 *   not be a way to pass with a leak; a warning would scroll by in CI. So it fails the file, as with `test.fails`.
 */
function whyNotThrown(task) {
  if (task.fails) return 'is marked fails: vitest would count its LeakError as the failure it expects'
  if (task.result?.pending || task.result?.state === 'skip') {
    return 'was skipped (ctx.skip()) after it had opened these: vitest would report it skipped and drop its LeakError'
  }
  return null
}

/**
 * Whether vitest failed a task with a LeakError leakwatch threw inside it: vitest keeps its errors serialised, so the
 * same error is the one with the same name and message.
 */
function failedWith(task) {
  return (error) =>
    (task.result?.errors ?? []).some((failure) => failure?.name === error.name && failure?.message === error.message)
}

/** The file's error: the LeakErrors of tests that could not be failed, then the file's own. */
function fileError(deferred, own) {
  const errors = own ? [...deferred, own] : deferred
  if (errors.length <= 1) return errors[0] ?? null
  return new LeakError(
    errors.map((error) => error.message).join('\n\n'),
    errors.flatMap((error) => error.leaks),
  )
}

function registerHooks(fileSession) {
  /** @type {LeakError[]} LeakErrors of tests vitest cannot fail, given to the file (see whyNotThrown) */
  const deferred = []

  // vitest reads the second parameter's source to find the fixtures a hook uses: it must be a destructuring pattern,
  // and names only what every test context has. Runs once per attempt of a test (a retry gets a scope of its own).
  vitest.aroundEach((runTest, { task, signal, onTestFinished }) => {
    const scope = fileSession.startTest(testName(task), null, task, { inContext: true })
    if (scope === null) return runTest()
    // vitest names the file's task once the file runs: the first test learns it.
    if (fileSession.fileName === undefined) setFileAndRoot(fileSession, task.file)
    // vitest made the test's signal before the test, and listens on it while the test runs: it is the test's own.
    if (signal) tracker.adoptEmitter(signal, scope)
    onTestFinished(async () => {
      const { meta, error } = await fileSession.finishTest(scope, { failedWith: failedWith(task) })
      task.meta.leakwatch = meta
      if (!error) return
      const why = whyNotThrown(task)
      if (why === null) throw error
      const text = `test "${scope.testName}" ${why}, so its leaks fail the file:\n${error.message}`
      deferred.push(new LeakError(text, error.leaks))
    }, NO_HOOK_TIMEOUT)
    return fileSession.runTest(scope, runTest)
  }, NO_HOOK_TIMEOUT)

  // aroundAll, not afterAll: the check runs once the file's own afterAll hooks have run in whatever order
  // `sequence.hooks` says ('list' and 'parallel' would run an afterAll of this setup file first, or beside the
  // file's), after the cleanups beforeAll returned and after the file's fixtures are torn down. vitest calls it
  // with (runSuite, fixtures, suite), and reads the fixtures parameter's source to find the fixtures used: it must
  // be a destructuring pattern. Registered at the top of a setup file, the suite is the file.
  // Not an async function awaiting runSuite(): its frame would be in the async stack of every error vitest makes
  // while the file runs ("Expect test to fail", a timeout), and vitest would show leakwatch's code under them.
  vitest.aroundAll(
    (runSuite, {}, suite) =>
      runSuite().then(
        () => checkFile(fileSession, deferred, suite),
        (error) =>
          fileSession.finishFile().then(
            () => Promise.reject(error),
            () => Promise.reject(error),
          ),
      ),
    NO_HOOK_TIMEOUT,
  )
}

/** Checks the file once its last hook has run; a LeakError fails the file. */
async function checkFile(fileSession, deferred, suite) {
  const { meta, error } = await fileSession.finishFile({ failedWith: failedWith(suite) })
  const testErrors = deferred.splice(0)
  // vitest sends the file task's meta with the file's result: the reporter reads the file's figures there.
  if (suite?.meta) suite.meta.leakwatchFile = testErrors.length > 0 ? failedByTestLeaks(meta) : meta
  const failure = fileError(testErrors, error)
  if (failure) throw failure
}

// A chai method rather than expect.extend: the assertion vitest keeps until the test is torn down holds its object,
// so the method takes the object out of it. The check itself happens when the test ends: `expect(obj)` holds the
// object until the matcher returns.
chai.Assertion.addMethod('toBeCollected', function toBeCollected(label) {
  if (chai.util.flag(this, 'negate')) {
    throw new TypeError(
      'leakwatch: .not.toBeCollected() is not supported: an object that must stay alive needs no check',
    )
  }
  const target = chai.util.flag(this, 'object')
  chai.util.flag(this, 'object', undefined)
  session.watch(target, label, toBeCollected)
})

/**
 * Sets options for this worker (settle window, kinds, unref handling, ignore rules, baseline, fail or warn).
 * Unknown keys and wrong types throw a TypeError naming the key and what it accepts.
 */
export function configure(options) {
  tracker.configure(options)
}

// expectNoLeaks, watch, allowLeaks, resourceDelta: typed and documented as TestApi in js/index.d.ts.
export const { expectNoLeaks, watch, allowLeaks, resourceDelta } = bindTestApi(() => session)

export { LeakError }
