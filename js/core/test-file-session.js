// One test file's checks, whatever the runner: the file's scope (module level and beforeAll), a scope per test, the
// check when a test or the file ends, and what a test calls (expectNoLeaks, watch, allowLeaks, resourceDelta).
//
// A runner adapter creates one when a file starts, calls startTest/finishTest around each test and finishFile when
// the file's last hook has run, and decides how a LeakError fails the test (thrown in a hook, added to the test's
// errors). The logic is vitest's adapter's (js/vitest/index.js), lifted out so that every runner fails the same tests
// with the same text.

import { heapFigures } from './gc.js'
import { LeakError } from './leak-error.js'

const FILE_SUBJECT = 'file (module level and beforeAll)'
const FILE_SCOPE_HINT = 'Resources made at module level or in beforeAll belong to the file: close them in afterAll.'
const NOTHING_FOUND = Object.freeze({ leaks: [], text: '', warnings: [] })

export class TestFileSession {
  /**
   * Opens the file's scope, which records from now on.
   * @param {import('./leak-tracker.js').LeakTracker} tracker the worker's tracker, started
   * @param {{ warn: (text: string) => void }} output where warnings and warn-only reports go
   */
  constructor(tracker, { warn }) {
    this.tracker = tracker
    this.warn = warn
    this.scope = tracker.openScope(FILE_SUBJECT)
    /** @type {import('./leak-scope.js').LeakScope | null} the test running now, the latest started */
    this.testScope = null
    /** Tests running now: more than one when they run concurrently. */
    this.running = []
    this.allowAll = false
    /** @type {string | undefined} the file's path as the runner shows it, for the file's report */
    this.fileName = undefined
  }

  /** The scope a call made now belongs to: the test running, else the file. */
  get currentScope() {
    return this.testScope ?? this.scope
  }

  /**
   * Opens a test's scope and makes it the active one; null when the file is not checked.
   * @param {string} name the test's full name (`describe > test`)
   */
  startTest(name) {
    if (!this.tracker.options.enabled || this.allowAll) return null
    const scope = this.tracker.openScope(`test "${name}"`)
    scope.testName = name
    scope.heapAtStart = heapFigures()
    this.running.push(scope)
    this.testScope = scope
    // Concurrent tests share one process and one hook: what runs while several are open is recorded in the latest.
    if (this.running.length > 1) for (const running of this.running) running.attributionUncertain = true
    return scope
  }

  /**
   * Checks a test that ended (after its afterEach hooks) and closes its scope. The scope stays active while pending
   * closes settle: what the test's own callbacks create meanwhile is still the test's.
   * @returns {Promise<{ meta: object, error: LeakError | null }>} the test's figures (vitest's `task.meta.leakwatch`)
   *   and the error that fails it, if any
   */
  async finishTest(scope) {
    const { tracker } = this
    const name = scope.testName
    try {
      const result = scope.allowed ? NOTHING_FOUND : await tracker.check(scope, { testName: name })
      const delta = tracker.delta(scope)
      const heap = await tracker.heapAfterTest(name)
      const meta = { ...delta, heap, leaks: result.leaks, warnings: result.warnings, allowed: scope.allowed }
      return { meta, error: this.#outcome(result) }
    } finally {
      this.running = this.running.filter((running) => running !== scope)
      this.testScope = this.running.at(-1) ?? null
      tracker.activeScope = this.currentScope
      tracker.watchClosedOwners(scope, name)
      tracker.release(scope)
      if (this.running.length === 0) tracker.compact(this.scope)
    }
  }

  /**
   * Checks the file after its last hook: what its scope left open, the closed servers still reachable, its heap
   * growth. Closes the scope; nothing is recorded afterwards.
   * @returns {Promise<LeakError | null>}
   */
  async finishFile() {
    const { tracker, scope } = this
    tracker.activeScope = null
    if (this.fileName) scope.subject = `file ${this.fileName} (module level and beforeAll)`
    try {
      if (!tracker.options.enabled || scope.allowed || this.allowAll) return null
      const { growth, ...result } = await tracker.checkFile(scope, this.fileName ?? 'this file', FILE_SCOPE_HINT)
      if (growth.warning) this.warn(`[leakwatch] ${growth.warning}`)
      const error = this.#outcome(result)
      if (error) return error
      return growth.error ? new LeakError(growth.error, []) : null
    } finally {
      tracker.release(scope)
    }
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

  #throwIfLeaked(result) {
    const error = this.#outcome(result)
    if (error) throw error
  }

  /**
   * With a function: runs it, then throws a LeakError if it left resources open. Without: checks what the current
   * test created so far. What is reported here is not reported again at the end of the test.
   * @param {() => unknown} [fn]
   */
  async expectNoLeaks(fn) {
    const { tracker } = this
    const current = this.currentScope
    if (fn === undefined) {
      this.#throwIfLeaked(await tracker.check(current, { testName: current.testName }))
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
      this.#throwIfLeaked(await tracker.check(scope, { testName: current.testName }))
    } finally {
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
    this.tracker.watches.watch(target, label, this.currentScope, skipAbove)
    return target
  }

  /** Opts the current test out of the check; outside a test (module level, beforeAll), the whole file. */
  allowLeaks() {
    if (this.testScope) this.testScope.allowed = true
    else this.allowAll = this.scope.allowed = true
  }

  /** Counts of what the current test created and left open, and its heap and native growth (no GC forced). */
  resourceDelta() {
    const scope = this.currentScope
    const now = heapFigures()
    const start = scope.heapAtStart ?? now
    return {
      ...this.tracker.delta(scope),
      heapBytes: now.heapBytes - start.heapBytes,
      nativeBytes: now.nativeBytes - start.nativeBytes,
    }
  }
}
