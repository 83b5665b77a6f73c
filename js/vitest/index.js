// leakwatch for vitest: a `setupFiles` entry that checks every test after it ends and fails the test that leaked.
//
// vitest evaluates setup files once per test file, before the file is imported, so this module's top level opens
// the file's scope (module-level code and beforeAll belong to the file) and registers the hooks of that file. The
// tracker and its async hook exist once per worker. A test's check runs in `onTestFinished`, which vitest calls
// after every afterEach hook, so cleanup done there counts; a failure there fails that test.

import { afterAll, beforeEach, chai } from 'vitest'
import { LeakError } from '../core/leak-error.js'
import { heapFigures } from '../core/gc.js'
import { fileReportMeta, leakOutcome } from '../core/report-meta.js'
import { workerTracker } from '../core/leak-tracker.js'

const tracker = workerTracker()
tracker.runnerDirs = ['/node_modules/vitest/', '/node_modules/@vitest/', '/node_modules/tinypool/']
tracker.start()
// With `isolate: false` a worker runs several files: options set by one file's configure() must not carry over.
// Setup files run again for every file, so a user's own setup file listed after this one configures each file anew.
tracker.resetOptions()

const FILE_SCOPE_HINT =
  'Resources made at module level or in beforeAll belong to the file: close them in afterAll.'

/** This file's state: its scope, and the test running now. Module state is per test file (see above). */
const file = {
  scope: tracker.openScope('file (module level and beforeAll)'),
  /** @type {import('../core/leak-scope.js').LeakScope | null} the test running now, the latest started */
  testScope: null,
  /** Tests running now: more than one when they run concurrently (`test.concurrent`). */
  running: [],
  allowAll: false,
  /** @type {string | undefined} the file's path as vitest names it, known once a test has run */
  name: undefined,
}

/** Learns the file's name, and the run's root: creation sites are shown relative to the root, as vitest shows files. */
function setFileAndRoot(fileTask) {
  file.name = fileTask?.name
  const filepath = fileTask?.filepath
  if (file.name && filepath?.endsWith(file.name)) tracker.root = filepath.slice(0, -file.name.length)
}

/** `describe > test`, without the file. */
function testName(task) {
  const names = [task.name]
  for (let suite = task.suite; suite && suite !== task.file; suite = suite.suite) names.unshift(suite.name)
  return names.join(' > ')
}

function report(result) {
  for (const warning of result.warnings) console.warn(`[leakwatch] ${warning}`)
  if (result.leaks.length === 0) return
  if (tracker.options.onLeak === 'warn') {
    console.warn(`[leakwatch] ${result.text}`)
    return
  }
  throw new LeakError(result.text, result.leaks)
}

/** The worker slot vitest runs this file in (1 to maxWorkers), or null outside a pool. */
function workerId() {
  const id = Number(process.env.VITEST_POOL_ID)
  return Number.isInteger(id) ? id : null
}

/** The file's figures for the reporter: vitest sends the file task's meta with the file's result. */
function fileMeta(result, growth, allowed) {
  return fileReportMeta({ result, growth, options: tracker.options, allowed, workerId: workerId() })
}

beforeEach((context) => {
  if (!tracker.options.enabled || file.allowAll) return
  const task = context.task
  if (file.name === undefined) setFileAndRoot(task.file)
  const name = testName(task)
  const scope = tracker.openScope(`test "${name}"`)
  scope.testName = name
  scope.heapAtStart = heapFigures()
  file.running.push(scope)
  file.testScope = scope
  // vitest made the test's signal before the test, and listens on it while the test runs: it is the test's own.
  if (context.signal) tracker.adoptEmitter(context.signal, scope)
  // Concurrent tests share one process and one hook: what runs while several are open is recorded in the latest.
  if (file.running.length > 1) for (const running of file.running) running.attributionUncertain = true
  context.onTestFinished(async () => {
    // The scope stays active while it settles: what the test's own callbacks create meanwhile is still the test's.
    try {
      const result = scope.allowed ? { leaks: [], text: '', warnings: [] } : await tracker.check(scope, { testName: name })
      const delta = tracker.delta(scope)
      const heap = await tracker.heapAfterTest(name)
      task.meta.leakwatch = { ...delta, heap, leaks: result.leaks, warnings: result.warnings, allowed: scope.allowed, ...leakOutcome(result, tracker.options.onLeak) }
      report(result)
    } finally {
      file.running = file.running.filter((running) => running !== scope)
      file.testScope = file.running.at(-1) ?? null
      tracker.activeScope = file.testScope ?? file.scope
      tracker.watchClosedOwners(scope, name)
      tracker.release(scope)
      if (file.running.length === 0) tracker.compact(file.scope)
    }
  })
})

// vitest 4 calls an afterAll hook with (fixtures, suite), and reads the first parameter's source to find the fixtures
// used: it must be a destructuring pattern. Registered at the top of a setup file, the suite is the file.
afterAll(async ({}, fileTask) => {
  tracker.activeScope = null
  const scope = file.scope
  if (file.name) scope.subject = `file ${file.name} (module level and beforeAll)`
  const meta = fileTask?.meta
  try {
    if (!tracker.options.enabled || scope.allowed || file.allowAll) {
      if (meta) meta.leakwatchFile = fileMeta({ leaks: [], warnings: [] }, null, true)
      return
    }
    const { growth, ...result } = await tracker.checkFile(scope, file.name ?? 'this file', FILE_SCOPE_HINT)
    if (meta) meta.leakwatchFile = fileMeta(result, growth, false)
    if (growth.warning) console.warn(`[leakwatch] ${growth.warning}`)
    report(result)
    if (growth.error) throw new LeakError(growth.error, [])
  } finally {
    tracker.release(scope)
  }
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
  tracker.watches.watch(target, label, file.testScope ?? file.scope, toBeCollected)
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
export async function expectNoLeaks(fn) {
  const current = file.testScope ?? file.scope
  if (fn === undefined) {
    report(await tracker.check(current, { testName: current.testName }))
    return
  }
  if (typeof fn !== 'function') {
    throw new TypeError(`leakwatch: expectNoLeaks() takes a function (sync or async) or nothing; got ${typeof fn}`)
  }
  const parent = tracker.activeScope
  const scope = tracker.openScope(`expectNoLeaks() in ${current.subject}: the function`, parent)
  try {
    await fn()
  } finally {
    tracker.activeScope = parent
  }
  try {
    report(await tracker.check(scope, { testName: current.testName }))
  } finally {
    tracker.release(scope)
  }
}

/**
 * Watches an object that must be garbage when the current test ends (when called outside a test: when the file
 * ends). Still reachable after GC, a macrotask and GC, it fails the test. Never keeps the object alive.
 * @param {object} target
 * @param {string} [label] how the report names it
 */
export function watch(target, label) {
  if (label !== undefined && typeof label !== 'string') throw new TypeError(`leakwatch: watch()'s label must be a string; got ${typeof label}`)
  tracker.watches.watch(target, label, file.testScope ?? file.scope, watch)
  return target
}

/** Opts the current test out of the leak check; called outside a test (module level, beforeAll), the whole file. */
export function allowLeaks() {
  if (file.testScope) file.testScope.allowed = true
  else file.allowAll = file.scope.allowed = true
}

/**
 * Counts by kind of the resources the current test created, and of those still open now; the listeners it left
 * attached; and how much the heap and native memory grew since it began (as they are: no GC is forced).
 */
export function resourceDelta() {
  const scope = file.testScope ?? file.scope
  const now = heapFigures()
  const start = scope.heapAtStart ?? now
  return { ...tracker.delta(scope), heapBytes: now.heapBytes - start.heapBytes, nativeBytes: now.nativeBytes - start.nativeBytes }
}

export { LeakError }
