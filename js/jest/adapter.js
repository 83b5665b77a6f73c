// leakwatch for jest, the part that runs in the worker's own realm (see index.cjs for why): one tracker per worker,
// and per test file a session driven by jest-circus's events.
//
// A test is checked on `test_done`, which jest-circus dispatches after every afterEach hook, the test file's included
// (an afterEach registered by a setup file runs before the file's own top-level ones), and before the test's result
// is made: a LeakError added to the test's errors then fails that test, as jest's own `expect.assertions()` check
// does. The file is checked on `run_finish`, after every afterAll hook; its LeakError fails the file. Then what was
// reported in the file is unref'd: jest waits for its process to go idle before it exits (in band, its own), which a
// leaked server or interval would prevent for ever.

import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { LeakError } from '../core/leak-error.js'
import { assertCleanShutdown } from '../core/shutdown-audit.js'
import { LeakScope } from '../core/leak-scope.js'
import { ReportedResources } from '../core/reported-resources.js'
import { nextTurn } from '../core/settle.js'
import { workerTracker } from '../core/leak-tracker.js'
import { bindTestApi } from '../core/test-api.js'
import { TestFileSession } from '../core/test-file-session.js'
import NOT_SET_UP from './not-set-up.cjs'
import { toBeCollectedMatcher } from './to-be-collected.js'

/** jest's own packages: what they make (a hook's timeout timer, a worker's pipe) is not a test's leak. */
const JEST_DIRS = [
  '/node_modules/jest/',
  '/node_modules/@jest/',
  '/node_modules/jest-circus/',
  '/node_modules/jest-runtime/',
  '/node_modules/jest-runner/',
  '/node_modules/jest-environment-node/',
  '/node_modules/jest-worker/',
  '/node_modules/jest-util/',
  '/node_modules/jest-mock/',
  '/node_modules/jest-snapshot/',
  '/node_modules/jest-message-util/',
  '/node_modules/jest-each/',
  '/node_modules/expect/',
  '/node_modules/babel-jest/',
]

/** @type {TestFileSession | null} the test file running in this worker now: jest runs one file at a time per worker */
let session = null

/**
 * The scope active from the end of one test file to the start of the next. Between files the worker runs what
 * earlier files left open (a leaked interval's callbacks, an immediate that reschedules itself) and jest's own work
 * (tearing the file's environment down); the async hook follows what leftovers create as theirs only while some
 * scope is active, so one is. It keeps nothing: a record holds its creation stack, whose frames would hold the
 * finished file's environment (jest's --detectLeaks would rightly call that a leak).
 */
class BetweenFilesScope extends LeakScope {
  constructor() {
    super('between test files')
  }

  add() {}

  addListenerRecord() {}

  addMaxListenersRecord() {}
}

/** @type {BetweenFilesScope | null} */
let betweenFiles = null

function currentSession() {
  if (session === null) {
    throw new Error(NOT_SET_UP)
  }
  return session
}

/** `describe > test`, as leakwatch names tests for every runner. */
function testName(test) {
  const names = []
  for (let node = test; node?.parent; node = node.parent) names.unshift(node.name)
  return names.join(' > ')
}

/**
 * Starts checking a test file. Called by the setup file, once per test file, before the file is loaded: from now on
 * what is created belongs to the file's scope (module level and beforeAll).
 * @param {{ eventHandlers: unknown, expect: any, warn: (text: string) => void }} jest what the test file's realm gives
 */
export function setUpTestFile({ eventHandlers, expect, warn }) {
  if (!Array.isArray(eventHandlers)) {
    throw new Error(
      "leakwatch/jest found no jest-circus event handlers: list it in setupFilesAfterEnv (not setupFiles), and run jest's default test runner, jest-circus (jest-jasmine2 is not supported)",
    )
  }
  const tracker = workerTracker()
  tracker.runnerDirs = JEST_DIRS
  tracker.start()
  // A file that crashed before its run ended never released its scope.
  if (session !== null) tracker.release(session.scope)
  if (betweenFiles !== null) tracker.release(betweenFiles)
  betweenFiles = null
  // Options set by one file's configure() must not carry over to the next file of the worker.
  tracker.resetOptions()
  const { testPath, snapshotState } = expect.getState()
  // Creation sites are shown relative to jest's rootDir, as jest shows files. The snapshot state is the one place a
  // test file's realm is told it.
  const rootDir = typeof snapshotState?._rootDir === 'string' ? snapshotState._rootDir : process.cwd()
  tracker.root = rootDir
  const reported = new ReportedResources()
  const fileSession = new TestFileSession(tracker, { warn, beforeRelease: (scope) => reported.remember(scope) })
  if (typeof testPath === 'string') fileSession.fileName = path.relative(rootDir, testPath)
  session = fileSession
  // First: a test's LeakError must be among its errors before jest-circus and its reporters make its result.
  eventHandlers.unshift(createEventHandler(fileSession, reported))
  expect.extend({ toBeCollected: toBeCollectedMatcher(currentSession) })
}

/**
 * jest prints an error as its message, everything before the first stack frame, then the frames, reformatted. A
 * LeakError's one frame is its first leak's creation site; without one, jest would take the report's first line for
 * the message and reformat the rest as a stack: re-indented, blank lines dropped, all of it gone under
 * --noStackTrace. A LeakError with no site gets one real frame, the handler's that raised it, to end the message:
 * the report prints as it is.
 */
function endingInFrame(error) {
  const head = `${error.name}: ${error.message}`
  if (error.stack.startsWith(head) && error.stack.length > head.length) return error
  const holder = {}
  Error.captureStackTrace(holder, endingInFrame)
  const frame = holder.stack.split('\n').find((line) => /^\s+at /.test(line))
  // An ES module's frame names a file: URL, which jest would print as a path relative to its root.
  if (frame !== undefined)
    error.stack = `${error.name}: ${error.message}\n${frame.replace(/file:\/\/[^:)]+/, (url) => fileURLToPath(url))}`
  return error
}

/** A generator test function, which jest-circus runs through co: left as it is (the test file's realm has its own). */
function isGeneratorFunction(fn) {
  return /^(?:Async)?GeneratorFunction$/.test(fn.constructor?.name ?? '')
}

/**
 * Wraps a test's function so that its body runs in its test's async context (see async-tracker.js): what it starts,
 * whenever that lands (after a timeout, after its check), is its own test's. The test's scope is looked up when the
 * body runs, by the wrapper jest-circus then holds. Concurrent tests are left as they are: jest-circus starts their
 * bodies before their tests start, and they are told apart by the clock, as before, saying so in their reports.
 * @param {Function} fn the test's function, as the test file gave it
 * @param {WeakMap<Function, import('../core/leak-scope.js').LeakScope>} bodyScopes
 * @param {import('../core/leak-tracker.js').LeakTracker} tracker
 */
function runsInItsScope(fn, bodyScopes, tracker) {
  const body = function (...args) {
    const scope = bodyScopes.get(body)
    if (scope === undefined || scope.ended) return Reflect.apply(fn, this, args)
    return tracker.runInScope(scope, () => Reflect.apply(fn, this, args))
  }
  // jest-circus reads the length to tell a test that takes a `done` callback.
  Object.defineProperty(body, 'length', { value: fn.length })
  Object.defineProperty(body, 'name', { value: fn.name })
  return body
}

/**
 * The jest-circus event handler of one test file. It never throws: a failure of its own fails the test it was in.
 * @param {TestFileSession} fileSession
 * @param {ReportedResources} reported what the file's checks reported, unref'd once the file is checked
 */
function createEventHandler(fileSession, reported) {
  /** @type {Map<object, import('../core/leak-scope.js').LeakScope>} jest-circus's test entries and their scopes */
  const testScopes = new Map()
  /** @type {WeakMap<Function, import('../core/leak-scope.js').LeakScope>} wrapped test bodies and their scopes */
  const bodyScopes = new WeakMap()
  return async function leakwatchEventHandler(event, state) {
    switch (event.name) {
      case 'add_test':
        // jest-circus dispatches it synchronously and makes the test's entry from the event after this handler.
        if (!event.concurrent && typeof event.fn === 'function' && !isGeneratorFunction(event.fn)) {
          event.fn = runsInItsScope(event.fn, bodyScopes, fileSession.tracker)
        }
        return
      case 'run_start':
        // Module-level code may start what lands a tick later (a listen() with a host: its handle comes after a
        // lookup) while jest goes on in promise jobs: one turn of the event loop lands it in the file's scope.
        await nextTurn(fileSession.tracker.untracked)
        return
      case 'test_started': {
        const scope = fileSession.startTest(testName(event.test), null, event.test)
        if (scope === null) return
        testScopes.set(event.test, scope)
        if (typeof event.test.fn === 'function') bodyScopes.set(event.test.fn, scope)
        return
      }
      case 'test_done': {
        const scope = testScopes.get(event.test)
        if (scope === undefined) return
        testScopes.delete(event.test)
        try {
          const { error } = await fileSession.finishTest(scope, { figures: false })
          if (error) event.test.errors.push(endingInFrame(error))
        } catch (error) {
          event.test.errors.push(error)
        }
        return
      }
      case 'run_finish': {
        try {
          const { error } = await fileSession.finishFile()
          if (error) state.unhandledErrors.push(endingInFrame(error))
        } catch (error) {
          state.unhandledErrors.push(error)
        } finally {
          reported.unrefAll()
          if (session === fileSession) {
            session = null
            betweenFiles = new BetweenFilesScope()
            fileSession.tracker.activeScope = betweenFiles
          }
        }
        return
      }
    }
  }
}

/** See index.d.cts. */
export function configure(options) {
  currentSession().tracker.configure(options)
}

// expectNoLeaks, watch, allowLeaks, resourceDelta: typed and documented as TestApi in js/index.d.ts. index.cjs's
// watch passes itself to this watch, as the function the user called.
export const { expectNoLeaks, watch, allowLeaks, resourceDelta } = bindTestApi(currentSession)

// The audit works on the worker's tracker, whose active scope is the running test's (in a file-level hook, the
// file's): it needs no session of its own.
export { assertCleanShutdown, LeakError }
