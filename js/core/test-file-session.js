// One test file's checks, whatever the runner: the file's scope (module level and its setup hooks), a scope per test
// (nested in its parent's for a subtest), the check when a test or the file ends, and what a test calls
// (expectNoLeaks, watch, allowLeaks, resourceDelta).
//
// A runner adapter creates one when a file starts, calls startTest/finishTest around each test and finishFile when
// the file's last hook has run, and decides how a LeakError fails the test (thrown in a hook, added to the test's
// errors). Every runner thereby fails the same tests with the same text, and hands leakwatch's reporter the same
// figures (report-meta.js).

import { heapFigures } from './gc.js'
import { LISTENER_TYPE } from './kinds.js'
import { LeakError } from './leak-error.js'
import { livenessOrClosed } from './liveness.js'
import { failingThrown, fileReportMeta, leakOutcome, reportedLeaks } from './report-meta.js'
import { isOwnFrameLine } from './stack-frames.js'

/** The file's hooks as vitest and jest name them: `beforeAll` makes what `afterAll` must close. */
const ALL_HOOKS = Object.freeze({
  setup: 'beforeAll',
  hint: 'Resources made at module level or in beforeAll belong to the file: close them in afterAll.',
})

/** A check that did not run: fresh arrays each time, since they end up in the runner's task meta. */
function nothingFound() {
  return { leaks: [], text: '', warnings: [] }
}

function isAncestor(candidate, scope) {
  for (let inner = scope.parent; inner !== null; inner = inner.parent) if (inner === candidate) return true
  return false
}

/** Where a call that acts on "the current test" can be made when tests run concurrently. */
const NOT_CONCURRENT =
  'Call it in a test that does not run concurrently with others (not in describe.concurrent, test.concurrent or a ' +
  '{ concurrency } suite)'

/** What each such call can do instead. */
const CONCURRENT_ADVICE = Object.freeze({
  'allowLeaks()': `${NOT_CONCURRENT}, or accept the resource with an ignore rule in configure({ ignore: [...] }).`,
  'expectNoLeaks()': `${NOT_CONCURRENT}, or pass it the code to check, expectNoLeaks(async () => { ... }): that code has a scope of its own.`,
  'watch()': `${NOT_CONCURRENT}.`,
  'resourceDelta()': `${NOT_CONCURRENT}.`,
})

export class TestFileSession {
  /**
   * Opens the file's scope, which records from now on.
   * @param {import('./leak-tracker.js').LeakTracker} tracker the worker's tracker, started
   * @param {object} runner
   * @param {(text: string) => void} runner.warn where warnings and warn-only reports go
   * @param {string} [runner.fileName] the file's path, when known before it runs: its scope is named so from the
   *   start. Else set `fileName` once known; the scope takes the name when the file ends.
   * @param {{ setup: string, hint: string }} [runner.fileHooks] the runner's name for the hook that sets a file up
   *   (in the file scope's name), and the advice of a file's report; vitest's and jest's by default
   * @param {number | null} [runner.workerId] the runner's worker slot, for the file's report meta
   * @param {(scope: import('./leak-scope.js').LeakScope) => void} [runner.beforeRelease] called with a test's scope
   *   when it ends and with the file's once its check is done, before the scope drops its records (`reported` too)
   */
  constructor(tracker, { warn, fileName, fileHooks = ALL_HOOKS, workerId = null, beforeRelease }) {
    this.tracker = tracker
    this.warn = warn
    this.fileHooks = fileHooks
    this.workerId = workerId
    this.beforeRelease = beforeRelease
    /** @type {string | undefined} the file's path as the runner shows it, for the file's report */
    this.fileName = fileName
    this.scope = tracker.openScope(this.#fileSubject())
    this.scope.keepsThrown = true
    /** Tests running now, in the order they started: more than one when they run concurrently or nest. */
    this.running = []
    /**
     * What an attempt of a test left open, by the runner's attempt key (the same object for every attempt of one
     * test): moved into the test's next attempt, so that a retry cannot pass while it is open.
     * @type {Map<object, Array<import('./leak-scope.js').ResourceRecord | import('./listener-tracker.js').ListenerRecord>>}
     */
    this.leftByAttempt = new Map()
    // The tracker is the worker's: what it cannot check is said in the first file's output only.
    const notice = tracker.listenerTracker.takeNotice()
    if (notice !== undefined) warn(`[leakwatch] ${notice}`)
  }

  #fileSubject() {
    const made = `module level and ${this.fileHooks.setup}`
    return this.fileName ? `file ${this.fileName} (${made})` : `file (${made})`
  }

  /**
   * Runs a test (`fn`: its hooks and its body, or its body alone) in its scope's async context. For a test started
   * `inContext`.
   * @param {import('./leak-scope.js').LeakScope} scope
   * @param {() => T} fn
   * @returns {T}
   * @template T
   */
  runTest(scope, fn) {
    return this.tracker.runInScope(scope, fn)
  }

  /** The running test whose async context this is, or null. */
  #testInContext() {
    for (let scope = this.tracker.scopeInContext(); scope !== null; scope = scope.parent) {
      if (this.running.includes(scope)) return scope
    }
    return null
  }

  /** @returns {import('./leak-scope.js').LeakScope | null} the test running now, the latest started */
  get testScope() {
    return this.running.at(-1) ?? null
  }

  /** The scope a call made now belongs to: the test running, else the file. */
  get currentScope() {
    return this.testScope ?? this.scope
  }

  /** The running tests that are neither `scope` nor one of its ancestors: they run concurrently with it. */
  #concurrentWith(scope) {
    return this.running.filter((other) => other !== scope && !isAncestor(other, scope))
  }

  /**
   * The scope of the test that called `api`. Concurrent tests share one process and one async hook, which tells
   * where a resource was made but not which test is calling now: the latest started is not necessarily the caller,
   * and acting on it would let one test's allowLeaks() silence another's leak.
   * @param {string} api what the user called, for the error
   */
  #callerScope(api) {
    const inContext = this.#testInContext()
    if (inContext !== null) return inContext
    const latest = this.testScope
    if (latest === null) return this.scope
    const concurrent = this.#concurrentWith(latest)
    if (concurrent.length === 0) return latest
    const names = [...concurrent, latest].map((scope) => `"${scope.testName}"`).join(', ')
    const error = new Error(
      `leakwatch: ${api} was called while ${concurrent.length + 1} tests run concurrently (${names}): it cannot tell ` +
        `which of them called it. ${CONCURRENT_ADVICE[api]}`,
    )
    // The runner shows the code of the error's first frame: the user's call, not leakwatch's.
    error.stack = error.stack
      .split('\n')
      .filter((line) => !isOwnFrameLine(line))
      .join('\n')
    throw error
  }

  /** Tests starting now are checked: leakwatch is enabled and the file did not opt out. */
  get checksTests() {
    return this.tracker.options.enabled && !this.scope.allowed
  }

  /**
   * Opens a test's scope and makes it the active one; null when the file is not checked.
   * @param {string} name the test's full name (`describe > test`)
   * @param {import('./leak-scope.js').LeakScope | null} [parent] the running test this one is a subtest of: what
   *   the subtest makes is its parent's too, and the two do not count as running concurrently
   * @param {object} [attempt] the same object for every attempt of this test (a runner that retries a failed test):
   *   what an earlier attempt left open is still open in this one, and is reported by it
   * @param {{ inContext?: boolean }} [how] `inContext`: the adapter runs the test (its hooks and body, or its body)
   *   through `runTest`, whose async context tells what is its own, even while tests run concurrently. Else the
   *   test becomes the active scope: what runs with no test's context while it is open is its own, and tests that
   *   run concurrently that way are said to share their reports (attribution is uncertain).
   */
  startTest(name, parent = null, attempt = undefined, { inContext = false } = {}) {
    if (!this.checksTests) return null
    const scope = this.tracker.openScope(`test "${name}"`, parent, { activate: !inContext })
    scope.testName = name
    scope.keepsThrown = true
    scope.inContext = inContext
    scope.lateScope = this.scope
    scope.attempt = attempt
    scope.heapAtStart = heapFigures()
    if (attempt !== undefined) this.#carryEarlierAttempt(scope, attempt)
    // Without a context of their own, concurrent tests share one hook: what runs while several are open is recorded
    // in the latest.
    const concurrent = inContext ? [] : this.#concurrentWith(scope).filter((other) => !other.inContext)
    if (concurrent.length > 0) for (const other of [...concurrent, scope]) other.attributionUncertain = true
    this.running.push(scope)
    return scope
  }

  /** Moves what earlier attempts of the test left open, and is open still, into its new attempt's scope. */
  #carryEarlierAttempt(scope, attempt) {
    const kept = this.leftByAttempt.get(attempt)
    if (kept === undefined) return
    this.leftByAttempt.delete(attempt)
    for (const record of kept) {
      if (record.type === LISTENER_TYPE) {
        if (!record.isAttached()) continue
        scope.addListenerRecord(record)
      } else {
        if (livenessOrClosed(record.type, record.resource) === 'closed') continue
        scope.add(record)
      }
      // Read by describeOpen, which notes it on the leak.
      record.fromEarlierAttempt = true
    }
  }

  /**
   * Keeps what an attempt left open (reported or not) for the test's next attempt, if the runner retries it; a
   * test that accepted its leaks (allowLeaks()) passes them on to no one. Dropped when the file ends.
   */
  #keepForNextAttempt(scope) {
    if (scope.attempt === undefined || scope.allowed) return
    const open = this.tracker.openLeftBy(scope)
    if (open.length > 0) this.leftByAttempt.set(scope.attempt, open)
  }

  /**
   * Checks a test that ended (after its afterEach hooks) and ends its scope. The scope stays active while pending
   * closes settle: what the test's own callbacks create meanwhile is still the test's.
   * @param {import('./leak-scope.js').LeakScope} scope
   * @param {object} [how]
   * @param {boolean} [how.figures] false: the runner has no place for the test's figures, so the delta is not
   *   worked out (that formats the stacks of the listeners it counts) and `meta` is null
   * @param {(result: import('./leak-tracker.js').CheckResult) => boolean} [how.reportedElsewhere] true when the
   *   runner showed the leaks its own way (node:test: to a test that failed already): nothing is printed or returned
   * @param {(error: LeakError) => boolean} [how.failedWith] whether the runner failed the test with this LeakError,
   *   one leakwatch threw inside it (expectNoLeaks(), assertCleanShutdown()): its leaks and reason are then the
   *   test's in its figures. A test may catch such an error on purpose.
   * @returns {Promise<{ meta: object | null, error: LeakError | null }>} the test's figures for the reporter
   *   (vitest's `task.meta.leakwatch`) and the error that fails it, if any
   */
  async finishTest(scope, { figures = true, reportedElsewhere, failedWith } = {}) {
    const { tracker } = this
    const name = scope.testName
    try {
      const result = scope.allowed ? nothingFound() : await tracker.checkTest(scope, name)
      const delta = figures ? tracker.delta(scope) : null
      const heap = await tracker.heapAfterTest(name)
      const meta = figures ? await this.#testMeta(scope, result, { delta, heap, failedWith }) : null
      if (reportedElsewhere?.(result)) return { meta, error: null }
      return { meta, error: this.#outcome(result) }
    } finally {
      this.endTest(scope)
    }
  }

  /** A test's figures for the reporter: its leaks (those of a LeakError thrown inside that failed it first), and why it failed. */
  async #testMeta(scope, result, { delta, heap, failedWith }) {
    const outcome = leakOutcome(result, this.tracker.options.onLeak)
    const thrown = failingThrown(scope.thrown, failedWith)
    const failureReasons = [...(outcome.failedByLeaks ? ['leaks'] : []), ...thrown.reasons]
    return {
      ...delta,
      heap,
      ...(await reportedLeaks([...thrown.leaks, ...result.leaks])),
      warnings: result.warnings,
      allowed: scope.allowed,
      failedByLeaks: failureReasons.length > 0,
      failureReasons,
      warned: outcome.warned,
    }
  }

  /**
   * Ends a test's scope, checked or not (a runner that skipped the check after a failed hook); once only. What the
   * runner does next is recorded in the test still running, else in the file.
   */
  endTest(scope) {
    if (!this.running.includes(scope)) return
    const { tracker } = this
    this.running = this.running.filter((running) => running !== scope)
    tracker.activeScope = this.running.findLast((running) => !running.inContext) ?? this.scope
    this.beforeRelease?.(scope)
    this.#keepForNextAttempt(scope)
    // A subtest's resources are its parent's too: watched once, with the top-level test that made them.
    if (scope.parent === null) tracker.watchClosedOwners(scope, scope.testName)
    tracker.release(scope)
    // The last fs request's stack holds the frames of the test that made it; its FileHandle, if any, came already.
    if (tracker.asyncTracker.lastFileRequest?.scope === scope) tracker.asyncTracker.lastFileRequest = undefined
    if (this.running.length === 0) tracker.compact(this.scope)
  }

  /**
   * Checks the file after its last hook: what its scope left open, the closed servers still reachable, its heap
   * growth. Closes the scope; nothing is recorded afterwards.
   * @param {{ failedWith?: (error: LeakError) => boolean }} [how] `failedWith`: whether the runner failed the file
   *   with this LeakError, one leakwatch threw in the file's own scope (expectNoLeaks() in beforeAll)
   * @returns {Promise<{ meta: object, error: LeakError | null }>} the file's figures for the reporter (vitest's
   *   `meta.leakwatchFile` on the file task) and the error that fails the file, if any
   */
  async finishFile({ failedWith } = {}) {
    const { tracker, scope } = this
    tracker.activeScope = null
    // The tests are over: what their last attempts left open was theirs, reported with them, and is not held.
    this.leftByAttempt.clear()
    if (this.fileName) scope.subject = this.#fileSubject()
    try {
      if (!tracker.options.enabled || scope.allowed) {
        return { meta: await this.#fileMeta(nothingFound(), null, true), error: null }
      }
      const thrown = failingThrown(scope.thrown, failedWith)
      const { growth, ...result } = await tracker.checkFile(scope, this.fileName ?? 'this file', this.fileHooks.hint)
      this.beforeRelease?.(scope)
      const meta = await this.#fileMeta(result, growth, false, thrown)
      if (growth.warning) this.warn(`[leakwatch] ${growth.warning}`)
      const error = this.#outcome(result) ?? (growth.error ? new LeakError(growth.error, []) : null)
      return { meta, error }
    } finally {
      tracker.release(scope)
    }
  }

  #fileMeta(result, growth, allowed, thrown) {
    return fileReportMeta({ result, growth, options: this.tracker.options, allowed, workerId: this.workerId, thrown })
  }

  /** Prints the warnings; the leaks become the error that fails the test, or a warning with `onLeak: 'warn'`. */
  #outcome(result) {
    for (const warning of result.warnings) this.warn(`[leakwatch] ${warning}`)
    if (result.leaks.length === 0) return null
    if (this.tracker.options.onLeak === 'warn') {
      this.warn(`[leakwatch] ${result.text}`)
      return null
    }
    return new LeakError(result.text, result.leaks)
  }

  /** Throws the check's LeakError, if any, noted in `scope` (and the test or file it is in) as expectNoLeaks()'s. */
  #throwIfLeaked(result, scope) {
    const error = this.#outcome(result)
    if (!error) return
    scope.noteThrown(error, 'expectNoLeaks')
    throw error
  }

  /**
   * With a function: runs it, then throws a LeakError if it left resources open. Without: checks what the current
   * test created so far (not while tests run concurrently: see #callerScope). What is reported here is not reported
   * again at the end of the test.
   * @param {() => unknown} [fn]
   */
  async expectNoLeaks(fn) {
    const { tracker } = this
    if (fn === undefined) {
      const current = this.#callerScope('expectNoLeaks()')
      this.#throwIfLeaked(await tracker.checkTest(current, current.testName), current)
      return
    }
    if (typeof fn !== 'function') {
      throw new TypeError(`leakwatch: expectNoLeaks() takes a function (sync or async) or nothing; got ${typeof fn}`)
    }
    // The function has a scope of its own. In its own async context it holds exactly what the function started;
    // else, while tests run concurrently, what their callbacks make meanwhile lands in it too, and the report says so.
    const inContext = this.#testInContext()
    const current = inContext ?? this.currentScope
    const concurrent = inContext === null && this.testScope !== null && this.#concurrentWith(this.testScope).length > 0
    const subject = concurrent ? 'expectNoLeaks(): the function' : `expectNoLeaks() in ${current.subject}: the function`
    const parent = tracker.scopeNow()
    const scope = tracker.openScope(subject, parent, { activate: inContext === null })
    scope.attributionUncertain = concurrent
    try {
      try {
        await (inContext === null ? fn() : tracker.runInScope(scope, fn))
      } finally {
        if (inContext === null) tracker.activeScope = parent
      }
      this.#throwIfLeaked(await tracker.checkTest(scope, concurrent ? undefined : current.testName), scope)
    } finally {
      // Whether the function threw or not, its scope is dropped: its resources are the test's too.
      tracker.release(scope)
    }
  }

  /**
   * Watches an object that must be garbage when the current test ends (outside a test: when the file ends).
   * @param {Function} skipAbove the API function the user called, left out of the watch stack
   */
  watch(target, label, skipAbove) {
    if (label !== undefined && typeof label !== 'string') {
      throw new TypeError(`leakwatch: watch()'s label must be a string; got ${typeof label}`)
    }
    this.tracker.watches.watch(target, label, this.#callerScope('watch()'), skipAbove)
    return target
  }

  /** Opts the current test out of the check; outside a test (module level, the file's setup hooks), the whole file. */
  allowLeaks() {
    this.#callerScope('allowLeaks()').allowed = true
  }

  /** Counts of what the current test created and left open, and its heap and native growth (no GC forced). */
  resourceDelta() {
    const scope = this.#callerScope('resourceDelta()')
    const now = heapFigures()
    const start = scope.heapAtStart ?? now
    return {
      ...this.tracker.delta(scope),
      heapBytes: now.heapBytes - start.heapBytes,
      nativeBytes: now.nativeBytes - start.nativeBytes,
    }
  }
}
