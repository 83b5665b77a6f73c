// LeakTracker: the runner-agnostic core. A runner adapter opens a scope when a test (or file) starts, and checks
// it when it ends; this decides what is still open, has the native side describe and locate it, filters what the
// user accepted, and renders the report.

import { fileURLToPath } from 'node:url'
import { loadNative } from '../native.js'
import { AsyncResourceTracker } from './async-tracker.js'
import { unacceptedLeaks } from './leak-filter.js'
import { LeakScope } from './leak-scope.js'
import { detailsOf, livenessOrClosed, ownerOf } from './liveness.js'
import { DEFAULT_OPTIONS, mergeOptions } from './options.js'
import { settleOpenResources } from './settle.js'

import { KIND_OF_TYPE, KINDS, kindOf as kindOfResource } from './kinds.js'

export { KINDS }

/** leakwatch's own JS: never a creation site. */
const OWN_DIR = fileURLToPath(new URL('..', import.meta.url))

/** The location of a V8 stack frame line: `at f (location)` or `at location`. */
const FRAME_LOCATION = /^\s+at (?:async )?(?:.* \()?([^()]+?)\)?$/

const SERVER_TYPES = new Set(['TCPSERVERWRAP', 'PIPESERVERWRAP'])
/** Socket types a server can accept a connection as. */
const ACCEPTING_TYPES = new Set(['TCPWRAP', 'PIPEWRAP'])

function kindOf(record) {
  return kindOfResource(record.type, record.resource)
}

/**
 * The test runner made it (a hook's timeout timer): its first frame outside Node is the runner's and no frame is
 * in user code. Such a resource is never a test's leak.
 */
function madeByRunner(stack, runnerDirs) {
  let framesOutsideNode = 0
  for (const line of stack.split('\n')) {
    const location = FRAME_LOCATION.exec(line)?.[1]
    // Node's own frames (`node:`), native and anonymous ones say nothing about who made it.
    if (location === undefined || location.startsWith('node:') || !location.includes('/')) continue
    const isRunner = runnerDirs.some((dir) => location.includes(dir))
    if (framesOutsideNode === 0 && !isRunner) return false
    const isUser = !isRunner && !location.includes('/node_modules/') && !location.includes(OWN_DIR)
    if (isUser) return false
    framesOutsideNode++
  }
  return framesOutsideNode > 0
}

function isMock(fn) {
  return typeof fn === 'function' && (fn._isMockFunction === true || (typeof fn.mock === 'object' && fn.mock !== null))
}

function increment(counts, key) {
  counts[key] = (counts[key] ?? 0) + 1
}

/**
 * @typedef {object} CheckResult
 * @property {Array<object>} leaks the leaks not accepted by the options, serialisable
 * @property {string} text the report, empty when there are no leaks
 */

export class LeakTracker {
  /** @param {object} [options] see `configure` */
  constructor(options) {
    this.options = mergeOptions(options, DEFAULT_OPTIONS, KINDS)
    this.asyncTracker = new AsyncResourceTracker(KIND_OF_TYPE.keys())
    this.root = process.cwd()
    /** Path fragments of the test runner's code, set by its adapter: what the runner makes is not a leak. */
    this.runnerDirs = []
    this.started = false
  }

  configure(options) {
    this.options = mergeOptions(options, this.options, KINDS)
  }

  /** Back to the defaults: a runner adapter does this when a new test file starts, so files configure themselves. */
  resetOptions() {
    this.options = mergeOptions({}, DEFAULT_OPTIONS, KINDS)
  }

  start() {
    if (this.started) return
    this.asyncTracker.enable()
    this.started = true
  }

  stop() {
    if (!this.started) return
    this.asyncTracker.disable()
    this.asyncTracker.activeScope = null
    this.started = false
  }

  /** The scope resources are recorded in now, or null. */
  get activeScope() {
    return this.asyncTracker.activeScope
  }

  set activeScope(scope) {
    this.asyncTracker.activeScope = scope
  }

  /** Opens a scope and makes it the active one. A nested scope records into its parent too. */
  openScope(subject, parent = null) {
    const scope = new LeakScope(subject, parent)
    this.activeScope = scope
    return scope
  }

  /**
   * Waits for pending closes, then reports what `scope` left open that the options do not accept. The resources
   * reported are marked, so that a later check of the same scope does not report them again.
   * @param {LeakScope} scope
   * @param {{ testName?: string, scopeHint?: string }} [context]
   * @returns {Promise<CheckResult>}
   */
  async check(scope, context = {}) {
    const includeUnref = this.options.reportUnref
    const open = await settleOpenResources(
      () => this.#openRecords(scope, includeUnref),
      this.options.settleMs,
      (fn) => this.asyncTracker.untracked(fn),
    )
    if (open.length === 0) return { leaks: [], text: '' }
    const resources = this.#describe(scope, open)
    const input = { root: this.root, ownDirs: [OWN_DIR], resources }
    const native = await loadNative()
    const analysed = JSON.parse(native.analyzeOpenResources(JSON.stringify(input)))
    const stacks = new Map(resources.map((resource) => [resource.asyncId, `${resource.stack}\n${resource.causeStack ?? ''}`]))
    const leaks = unacceptedLeaks(analysed, (leak) => stacks.get(leak.asyncId), this.options, context.testName)
    const reportedIds = new Set(leaks.map((leak) => leak.asyncId))
    for (const { record } of open) if (reportedIds.has(record.asyncId)) scope.markReported(record)
    if (leaks.length === 0) return { leaks: [], text: '' }
    const text = native.renderLeakReport(
      JSON.stringify({
        subject: scope.subject,
        leaks,
        scopeHint: context.scopeHint,
        attributionUncertain: scope.attributionUncertain,
      }),
    )
    return { leaks, text }
  }

  /** Ends a scope: drops its resources, remembering weakly those still open so later tests are not blamed. */
  release(scope) {
    if (scope.parent === null) {
      this.asyncTracker.rememberLeftOpen(scope.notClosedRecords(), livenessOrClosed)
      this.asyncTracker.forgetServers(scope.records)
    }
    scope.release()
  }

  /**
   * Drops what a long-lived scope (a file's) created that has closed since: between tests the runner creates timers
   * that land there, and a file of thousands of tests must not hold one record per test until it ends.
   */
  compact(scope) {
    const closed = scope.records.filter((record) => livenessOrClosed(record.type, record.resource) === 'closed')
    if (closed.length === 0) return
    this.asyncTracker.forgetServers(closed)
    const closedSet = new Set(closed)
    scope.records = scope.records.filter((record) => !closedSet.has(record))
  }

  /**
   * Counts by kind of what `scope` created and of what is still open now (no settling: a snapshot).
   * @returns {{ created: Record<string, number>, handles: Record<string, number> }}
   */
  delta(scope) {
    const created = {}
    const handles = {}
    for (const record of scope.records) increment(created, kindOf(record))
    for (const { record } of this.#openRecords(scope, this.options.reportUnref, true)) increment(handles, kindOf(record))
    return { created, handles }
  }

  /**
   * What `scope` left open that is its own. A connection a server accepted belongs to the server: when the server
   * outlives the scope (a shared server from beforeAll, with keep-alive clients), closing it is the server's job.
   */
  #openRecords(scope, includeUnref, includeReported = false) {
    let open = scope.openRecords({ includeUnref, includeReported })
    if (open.length === 0) return open
    const kinds = this.options.kinds
    if (kinds !== null) open = open.filter(({ record }) => kinds.includes(kindOf(record)))
    open = this.#withoutRunnerMade(open)
    if (!open.some(({ record }) => ACCEPTING_TYPES.has(record.type))) return open
    const scopeServers = new Set()
    for (const record of scope.records) if (SERVER_TYPES.has(record.type)) scopeServers.add(ownerOf(record.resource))
    return open.filter(({ record }) => {
      if (!ACCEPTING_TYPES.has(record.type)) return true
      const server = ownerOf(record.resource)?.server
      return !server || scopeServers.has(server)
    })
  }

  /**
   * Sets aside what the test runner made (a hook's timeout timer): never a test's leak, and not worth a settle
   * window either. Told from the stack, so each record is asked once, and only when found open.
   */
  #withoutRunnerMade(open) {
    for (const { record } of open) record.runnerMade ??= madeByRunner(record.stack, this.runnerDirs)
    return open.filter(({ record }) => !record.runnerMade)
  }

  /** What JS knows of each open resource, for the native side to describe. */
  #describe(scope, open) {
    // A child's stdio pipes close with the child: the child is the leak, its pipes are not three more.
    const childStdio = new Set()
    for (const { record } of open) {
      if (record.type === 'PROCESSWRAP') for (const stream of ownerOf(record.resource)?.stdio ?? []) childStdio.add(stream)
    }
    const described = []
    for (const { record, liveness } of open) {
      const owner = ownerOf(record.resource)
      if (record.type === 'PIPEWRAP' && childStdio.has(owner)) continue
      const details = detailsOf(record.type, record.resource)
      const resource = { type: record.type, asyncId: record.asyncId, stack: record.stack, hasRef: liveness === 'ref', ...details }
      Object.assign(resource, this.#cause(scope, record, owner))
      if (SERVER_TYPES.has(record.type) && isMock(owner?.close)) {
        resource.note = 'its close() is a mock (vi.fn / vi.spyOn): calling it closes nothing'
      }
      described.push(resource)
    }
    return described
  }

  /** Where to look when the creation stack has no user frame: the listen() call, or the resource that caused it. */
  #cause(scope, record, owner) {
    if (SERVER_TYPES.has(record.type)) {
      const listenStack = owner && this.asyncTracker.listenStacks.get(owner)
      return listenStack ? { causeStack: listenStack.stack } : {}
    }
    const trigger = scope.recordByAsyncId(record.triggerAsyncId)
    if (!trigger) return {}
    const triggerKind = kindOf(trigger)
    const causeLabel = SERVER_TYPES.has(trigger.type)
      ? `a connection accepted by the ${triggerKind} created there`
      : `from a callback of the ${triggerKind} created there`
    const triggerOwner = ownerOf(trigger.resource)
    const listenStack = triggerOwner && this.asyncTracker.listenStacks.get(triggerOwner)
    return { causeStack: listenStack?.stack ?? trigger.stack, causeLabel }
  }
}

const TRACKER_KEY = Symbol.for('leakwatch.tracker')

/**
 * The tracker of this worker (one per Node env). Setup files run once per test file, and with `isolate: false` the
 * module itself may be evaluated again: the tracker, and its async hook, must exist once.
 * @returns {LeakTracker}
 */
export function workerTracker() {
  globalThis[TRACKER_KEY] ??= new LeakTracker()
  return globalThis[TRACKER_KEY]
}
