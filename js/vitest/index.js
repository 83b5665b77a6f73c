// leakwatch for vitest: a `setupFiles` entry that checks every test after it ends and fails the test that leaked.
//
// vitest evaluates setup files once per test file, before the file is imported, so this module's top level opens
// the file's session (module-level code and beforeAll belong to the file) and registers the hooks of that file. The
// tracker and its async hook exist once per worker. A test's check runs in `onTestFinished`, which vitest calls
// after every afterEach hook, so cleanup done there counts; a failure there fails that test.

import { afterAll, beforeEach, chai } from 'vitest'
import { LeakError } from '../core/leak-error.js'
import { workerTracker } from '../core/leak-tracker.js'
import { TestFileSession } from '../core/test-file-session.js'

const tracker = workerTracker()
tracker.runnerDirs = ['/node_modules/vitest/', '/node_modules/@vitest/', '/node_modules/tinypool/']
tracker.start()
// With `isolate: false` a worker runs several files: options set by one file's configure() must not carry over.
// Setup files run again for every file, so a user's own setup file listed after this one configures each file anew.
tracker.resetOptions()

/** The worker slot vitest runs this file in (1 to maxWorkers), or null outside a pool. */
function workerId() {
  const id = Number(process.env.VITEST_POOL_ID)
  return Number.isInteger(id) ? id : null
}

/** This file's session. Module state is per test file (see above). vitest swaps `console` to capture output. */
const session = new TestFileSession(tracker, { warn: (text) => console.warn(text), workerId: workerId() })

/** Learns the file's name, and the run's root: creation sites are shown relative to the root, as vitest shows files. */
function setFileAndRoot(fileTask) {
  const name = fileTask?.name
  session.fileName = name
  const filepath = fileTask?.filepath
  if (name && filepath?.endsWith(name)) tracker.root = filepath.slice(0, -name.length)
}

/** `describe > test`, without the file. */
function testName(task) {
  const names = [task.name]
  for (let suite = task.suite; suite && suite !== task.file; suite = suite.suite) names.unshift(suite.name)
  return names.join(' > ')
}

beforeEach((context) => {
  const task = context.task
  const scope = session.startTest(testName(task), null, task)
  if (scope === null) return
  // vitest names the file's task once the file runs: the first test learns it.
  if (session.fileName === undefined) setFileAndRoot(task.file)
  // vitest made the test's signal before the test, and listens on it while the test runs: it is the test's own.
  if (context.signal) tracker.adoptEmitter(context.signal, scope)
  context.onTestFinished(async () => {
    const { meta, error } = await session.finishTest(scope)
    task.meta.leakwatch = meta
    if (error) throw error
  })
})

// vitest 4 calls an afterAll hook with (fixtures, suite), and reads the first parameter's source to find the fixtures
// used: it must be a destructuring pattern. Registered at the top of a setup file, the suite is the file.
afterAll(async ({}, fileTask) => {
  const { meta, error } = await session.finishFile()
  // vitest sends the file task's meta with the file's result: the reporter reads the file's figures there.
  if (fileTask?.meta) fileTask.meta.leakwatchFile = meta
  if (error) throw error
})

// A chai method rather than expect.extend: the assertion vitest keeps until the test is torn down holds its object,
// so the method takes the object out of it. The check itself happens when the test ends: `expect(obj)` holds the
// object until the matcher returns.
chai.Assertion.addMethod('toBeCollected', function toBeCollected(label) {
  if (chai.util.flag(this, 'negate')) {
    throw new TypeError('leakwatch: .not.toBeCollected() is not supported: an object that must stay alive needs no check')
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

/**
 * With a function: runs it, then fails (throws a LeakError) if it left resources open. Without: checks what the
 * current test created so far. Resources reported here are not reported again at the end of the test.
 * @param {() => unknown | Promise<unknown>} [fn]
 */
export function expectNoLeaks(fn) {
  return session.expectNoLeaks(fn)
}

/**
 * Watches an object that must be garbage when the current test ends (when called outside a test: when the file
 * ends). Still reachable after GC, a macrotask and GC, it fails the test. Never keeps the object alive.
 * @param {object} target
 * @param {string} [label] how the report names it
 */
export function watch(target, label) {
  return session.watch(target, label, watch)
}

/** Opts the current test out of the leak check; called outside a test (module level, beforeAll), the whole file. */
export function allowLeaks() {
  session.allowLeaks()
}

/**
 * Counts by kind of the resources the current test created, and of those still open now; the listeners it left
 * attached; and how much the heap and native memory grew since it began (as they are: no GC is forced).
 */
export function resourceDelta() {
  return session.resourceDelta()
}

export { LeakError }
