// The per-event path: an async_hooks `init` hook that records the reportable resources created in the active scope.
//
// Every async resource of the process passes through `init` (promises above all), so it does as little as it can:
// one table lookup for the types it never records, the scope read for the others, and for reportable ones a stack
// captured unformatted. Capturing is the costly part (15-20 µs inside a test runner, whatever the depth: most of it is
// V8 walking to the first frame; formatting costs more again), so what is never reported gets none: Timeouts Node
// makes for itself (created unref'd, or known by their callback), a connection a server accepted (its report points
// at the server), a server's handle (made by listen(), whose stack is taken at the call). There is no `destroy` hook: with one, Node tracks
// every promise for GC, and a closed handle reports `destroy` only when collected; liveness is read from the resource
// at the end of the scope. Ticks and microtasks scheduled in a scope by code other than Node's get their scheduling
// stack kept on them (deferrals.js): a resource a library opens in such a callback is reported at the user's line
// that scheduled it.
// No napi call happens here. Nothing may read a handle's getters in `init`: `fd` there crashes Node 20.
//
// Which scope a resource belongs to is read from the async context when the runner's adapter runs each test in one
// (`runInScope`, an AsyncLocalStorage): what a test's code starts is the test's, whoever runs when the handle
// appears (concurrent tests, a timed-out test that goes on, a listen() whose handle comes after a lookup). Outside
// every test context, and for runners whose adapter cannot wrap a test, it is the active scope (the file's, or the
// test that started last). On Node 24 the storage rides on AsyncContextFrame and costs nothing per resource; on
// Node 20 and 22 it adds an init hook of its own that copies the context onto every promise, measured at under 1 % of
// a handle-heavy suite's CPU time (docs/benchmarks.md), so every Node line uses it.

import { AsyncLocalStorage, createHook } from 'node:async_hooks'
import dns from 'node:dns'
import net from 'node:net'
import { captureStack } from './creation-stack.js'
import { attachRunningHop, DEFERRAL_TYPES, DeferralRecorder } from './deferrals.js'
import { CONNECTION_TYPES, SERVER_TYPES } from './kinds.js'
import { ResourceRecord } from './leak-scope.js'

/** Types whose stack at `init` has no JS frame of its own; they borrow one captured just before (see below). */
const FILE_HANDLE = 'FILEHANDLE'
const FILE_REQUEST = 'FSREQPROMISE'
const TIMEOUT = 'Timeout'
/** Most of what passes through `init`: a promise is never recorded, and is let go of first. */
const PROMISE = 'PROMISE'
/**
 * Node's own timers, known at their init by their callback: an HTTP server's check of its connections' timeouts
 * (`setInterval(checkConnections.bind(server)).unref()`, one per server as it starts listening). Never a test's leak
 * (Node's, unref'd at once): not recorded, so no stack is taken for it.
 */
const NODE_TIMER_CALLBACKS = new Set(['bound checkConnections'])

function isNodeTimer(timeout) {
  return NODE_TIMER_CALLBACKS.has(timeout._onTimeout?.name)
}

/** The scope, or the nearest enclosing one still open (an expectNoLeaks() function's leftovers are its test's). */
function liveScope(scope) {
  while (scope !== undefined && scope !== null && scope.ended) scope = scope.parent
  return scope ?? null
}

export class AsyncResourceTracker {
  /** @param {Iterable<string>} reportableTypes the async_hooks types to record */
  constructor(reportableTypes) {
    /** @type {import('./leak-scope.js').LeakScope | null} */
    this.activeScope = null
    /** The scope of the test whose async context runs now, when the adapter runs tests in one. */
    this.context = new AsyncLocalStorage()
    /** The context is in use: set by the first runInScope(), so a runner that never wraps tests pays nothing for it. */
    this.contextual = false
    /** How deep leakwatch's own untracked() calls are: nothing is recorded inside them, whatever the context. */
    this.untrackedDepth = 0
    this.reportable = Object.create(null)
    for (const type of reportableTypes) this.reportable[type] = true
    /** Stacks of `listen()` calls, for servers whose handle is created a tick or a DNS lookup later. */
    this.listenStacks = new WeakMap()
    /**
     * The stack of the patched listen() call running now: a handle it makes at once has that stack, and a tick it
     * schedules is Node's (see init).
     */
    this.listenRunning = undefined
    /**
     * Timeouts created unref'd are recorded (reportUnref). Else they are not: Node makes them for itself (a socket's
     * idle timeout, the HTTP agent's), several per request, and one is never a leak unless unref'd ones are reported.
     */
    this.recordsUnrefTimers = false
    /** The last fs.promises request: its stack and scope, which the FileHandle it opens borrows (see init). */
    this.lastFileRequest = undefined
    /**
     * Resources a closed scope left open, by async id, as { type, resource: WeakRef }. What they create later (a
     * leaked interval's callbacks, a self-rescheduling immediate) is theirs, not the running test's: a leak fails
     * the test that made it, never the next one.
     */
    this.leftOpen = new Map()
    /**
     * The servers recorded in open scopes, by async id, with their scope: a connection a server accepts is made with
     * no async context of its own (before the server's callback runs), and belongs to the server's scope.
     * @type {Map<number, import('./leak-scope.js').LeakScope>}
     */
    this.serverScopes = new Map()
    /** Where the ticks of library code were scheduled, for resources made in their callbacks (see deferrals.js). */
    this.deferrals = new DeferralRecorder()
    this.hook = createHook({ init: this.#createInitHook() })
    this.originalListen = undefined
  }

  /**
   * The scope what runs now belongs to: the test whose context this is, else the active scope. A test's context
   * outlives its check (a test that timed out goes on; a callback it left comes later): what it makes then belongs to
   * its enclosing scope, or the active one, the file's, whose check reports it when the file ends.
   * @returns {import('./leak-scope.js').LeakScope | null}
   */
  scopeNow() {
    if (this.untrackedDepth !== 0) return null
    if (!this.contextual) return this.activeScope
    const store = this.context.getStore()
    if (store === undefined) return this.activeScope
    // Never the running test's by the clock: a test that timed out goes on while the next one runs.
    return liveScope(store) ?? store.lateScope ?? this.activeScope
  }

  /** The scope of the async context that runs now, or null outside every scope's context. */
  scopeInContext() {
    return this.contextual ? liveScope(this.context.getStore()) : null
  }

  /** Runs `fn` (a test, with its hooks) in `scope`'s async context: what it starts, at any later time, is the scope's. */
  runInScope(scope, fn) {
    this.contextual = true
    return this.context.run(scope, fn)
  }

  // A closure over locals rather than a bound method: this runs for every promise of the process.
  #createInitHook() {
    const tracker = this
    const reportable = this.reportable
    const leftOpen = this.leftOpen
    const serverScopes = this.serverScopes
    const deferrals = this.deferrals
    function init(asyncId, type, triggerAsyncId, resource) {
      if (type === PROMISE) return
      if (DEFERRAL_TYPES[type] === true) {
        const scope = tracker.scopeNow()
        // listen() runs Node's code only (its lookup, its 'listening' tick): what it schedules is Node's.
        const byNode = tracker.listenRunning !== undefined
        if (scope !== null) deferrals.record(resource, type, triggerAsyncId, scope, init, byNode)
        return
      }
      // Nothing else is ever recorded or remembered: no scope lookup for the requests and wraps of the process.
      if (reportable[type] !== true && type !== FILE_REQUEST) return
      // A Timeout's own fields are set before its init (never a handle's: see above).
      if (type === TIMEOUT && (isNodeTimer(resource) || (!tracker.recordsUnrefTimers && !resource.hasRef()))) return
      const accepted = CONNECTION_TYPES.has(type) && serverScopes.get(triggerAsyncId)
      let scope = accepted || tracker.scopeNow()
      if (scope === null) return
      // fs.promises.open's FileHandle is created with no JS frame and no async context; the request that opened it
      // was created just before, with the user's frame, in the user's context. Only the last one is kept.
      const fileRequest = type === FILE_HANDLE ? tracker.lastFileRequest : undefined
      if (fileRequest !== undefined && !fileRequest.scope.ended) scope = fileRequest.scope
      if (leftOpen.size !== 0 && leftOpen.has(triggerAsyncId)) {
        if (type !== FILE_REQUEST) leftOpen.set(asyncId, { type, resource: new WeakRef(resource) })
        return
      }
      if (type === FILE_REQUEST) {
        tracker.lastFileRequest = { stackHolder: captureStack(init), scope }
        return
      }
      let stackHolder
      if (type === FILE_HANDLE) stackHolder = fileRequest?.stackHolder
      // A connection a server accepted has no user frame; its report points at the server: no stack to capture.
      else if (accepted) stackHolder = null
      else if (SERVER_TYPES.has(type) && (tracker.listenRunning !== undefined || scope.hasPendingListen())) {
        // A server's handle is made by listen(), whose stack was just taken: inside that call, or a lookup or a tick
        // after it (its stack has no user frame then, and its report points at the listen() call: describe-open.js).
        stackHolder = tracker.listenRunning ?? null
      } else {
        stackHolder = captureStack(init)
        attachRunningHop(stackHolder, scope)
      }
      if (SERVER_TYPES.has(type)) serverScopes.set(asyncId, scope)
      scope.add(new ResourceRecord(asyncId, type, triggerAsyncId, resource, stackHolder))
    }
    return init
  }

  enable() {
    this.hook.enable()
    this.#patchListen()
  }

  disable() {
    this.hook.disable()
    if (this.originalListen) net.Server.prototype.listen = this.originalListen
    this.originalListen = undefined
  }

  /** Forgets the servers of a scope that ends: their ids are only needed while connections may be accepted in it. */
  forgetServers(records) {
    for (const record of records) if (SERVER_TYPES.has(record.type)) this.serverScopes.delete(record.asyncId)
  }

  /**
   * Remembers what a closing scope leaves open (weakly), and forgets what has closed since.
   * @param {Array<import('./leak-scope.js').ResourceRecord>} records the scope's records still open
   * @param {(type: string, resource: object) => string} livenessOf
   */
  rememberLeftOpen(records, livenessOf) {
    for (const [asyncId, entry] of this.leftOpen) {
      const resource = entry.resource.deref()
      if (resource === undefined || livenessOf(entry.type, resource) === 'closed') this.leftOpen.delete(asyncId)
    }
    for (const record of records)
      this.leftOpen.set(record.asyncId, { type: record.type, resource: new WeakRef(record.resource) })
  }

  /** Runs `fn` with no scope active, so that leakwatch's own timers are never recorded. */
  untracked(fn) {
    this.untrackedDepth++
    try {
      return fn()
    } finally {
      this.untrackedDepth--
    }
  }

  // `server.listen(port, host)` creates the handle after a DNS lookup or in a later tick, when no user frame is on
  // the stack: the stack of the listen() call is the creation site a person wants.
  #patchListen() {
    if (this.originalListen) return
    const tracker = this
    const originalListen = net.Server.prototype.listen
    this.originalListen = originalListen
    const listen = {
      listen(...args) {
        const scope = tracker.scopeNow()
        if (scope === null) return originalListen.apply(this, args)
        const stackHolder = captureStack(listen)
        attachRunningHop(stackHolder, scope)
        tracker.listenStacks.set(this, stackHolder)
        const outer = tracker.listenRunning
        tracker.listenRunning = stackHolder
        let lookup = null
        const originalLookup = dns.lookup
        const followed = replaceLookup((...lookupArgs) => {
          lookup = followLookup(lookupArgs, tracker, stackHolder)
          return originalLookup.apply(dns, lookupArgs)
        })
        let result
        try {
          result = originalListen.apply(this, args)
        } finally {
          if (followed) replaceLookup(originalLookup)
          tracker.listenRunning = outer
        }
        // Only a listen() whose host is being looked up makes its handle later. One without a lookup made its handle,
        // threw, or failed at once (EADDRINUSE is emitted a tick later): nothing of it is on its way. When the lookup
        // could not be followed (a frozen dns module), the server's state alone tells, as it can.
        if (!followed) scope.addListen(this, null)
        else if (lookup !== null) scope.addListen(this, lookup)
        return result
      },
    }.listen
    Object.defineProperty(listen, 'length', { value: originalListen.length })
    net.Server.prototype.listen = listen
  }
}

/** Puts `lookup` in dns.lookup's place; false when the module will not take it (frozen by the program). */
function replaceLookup(lookup) {
  try {
    dns.lookup = lookup
  } catch {
    return false
  }
  return dns.lookup === lookup
}

/**
 * Follows the host lookup a listen() starts (Node's net calls `dns.lookup(host, callback)` inside it): the lookup is
 * done once its callback has run, and that callback, which makes the server's handle (or emits the lookup's or the
 * bind's error), runs with the listen() call's stack as the one that made what it makes.
 * @param {unknown[]} lookupArgs `dns.lookup`'s arguments; the callback in them is replaced by one that follows it
 * @returns {{ done: boolean }}
 */
function followLookup(lookupArgs, tracker, stackHolder) {
  const lookup = { done: false }
  const callbackIndex = lookupArgs.findLastIndex((arg) => typeof arg === 'function')
  if (callbackIndex < 0) {
    lookup.done = true
    return lookup
  }
  const callback = lookupArgs[callbackIndex]
  lookupArgs[callbackIndex] = function listenLookupDone(...results) {
    const outer = tracker.listenRunning
    tracker.listenRunning = stackHolder
    try {
      return callback.apply(this, results)
    } finally {
      tracker.listenRunning = outer
      lookup.done = true
    }
  }
  return lookup
}
