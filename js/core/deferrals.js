// Where a deferred callback was scheduled: the way back from a resource a library opened in a callback of its own
// (ioredis connects in a `process.nextTick`) to the line of user code that led to it.
//
// Such a resource's creation stack has no frame of the user's code: it begins in the library's callback. The stack
// of the call that scheduled the callback has it. So, while a scope is active, each `process.nextTick` and
// `queueMicrotask` made by code other than Node's own gets its scheduling stack captured, unformatted, and kept on
// the tick's resource object (a symbol property: the tick object is dropped once its callback has run, and so is
// what hangs on it). What runs in that callback finds it on `executionAsyncResource()`: a resource created there
// keeps it with its creation stack, and a tick scheduled there keeps it as its parent, hop after hop. A callback of
// a resource the scope recorded (a timer, an immediate, a socket) is a hop too: its record's creation stack, taken
// while the callback runs, since a timer that has run may be collected before any report.
//
// Nothing here outlives what it explains: a hop hangs on a tick (gone once run) or on a creation stack holder (kept
// while both its resource and its record are, see CreationStacks), and a chain holds at most MAX_HOPS hops.
//
// Cost: a tick scheduled by Node's own code (most of them: stream internals, `emitCloseNT`) captures nothing. Its
// callback is a function of Node's that Node schedules again and again: the first time a named callback is seen, a
// few frames are read to tell who scheduled it, and a callback Node scheduled is never looked at again. A tick made
// for another resource than the running one (net's connect, with an anonymous callback) is Node's by its trigger. A tick Node
// schedules inside a hop passes that hop on (a library's write in its tick, then Node's `afterWriteTick`). Promise
// reactions are not followed: capturing a stack for each promise costs too much; an `await` chain needs nothing,
// since V8 keeps the awaiting callers in the stack.

import { executionAsyncId, executionAsyncResource } from 'node:async_hooks'
import { captureStack, stackText } from './creation-stack.js'
import { kindOf } from './kinds.js'

/**
 * On a creation stack holder: the hop (a Deferral) it was made in. On a tick's resource object: the hop its callback
 * runs in, or, for a tick Node scheduled in a recorded resource's callback, that resource's async id.
 */
export const DEFERRAL = Symbol('leakwatch.deferral')

/** The async_hooks types whose scheduling stack is captured here. */
export const DEFERRAL_TYPES = Object.freeze({ TickObject: true, Microtask: true })

/**
 * Hops kept behind a callback: a tick that schedules itself again keeps no more than this many (the newest, and the
 * oldest down to the line that started the loop), so a loop of ticks holds a bounded chain.
 */
export const MAX_HOPS = 8

/** Node's own code: the frames of async_hooks and of nextTick/queueMicrotask themselves come first. */
const NODE_SCHEDULER_FRAMES = ['node:internal/async_hooks', 'node:internal/process/task_queues']

/**
 * One callback on the way back: the stack of the code that scheduled it (a tick) or made its resource (a timer, a
 * socket), and the hop that code ran in.
 */
export class Deferral {
  constructor(type, repeats, holder, parent) {
    this.type = type
    this.repeats = repeats
    this.holder = holder
    // A longer chain (a callback that schedules itself again and again) keeps its newest hop and its oldest ones,
    // down to the line that started it: the hops between are let go once their callbacks have run.
    const kept = parent !== undefined && parent.depth >= MAX_HOPS - 1 ? parent.parent : parent
    /** @type {Deferral | undefined} */
    this.parent = kept
    this.depth = kept === undefined ? 0 : kept.depth + 1
  }
}

/** The record in `scope` of the resource with `asyncId` (a timer, an immediate, a socket) as a hop, or undefined. */
function recordHop(scope, asyncId) {
  const record = scope?.recordByAsyncId(asyncId)
  if (record === undefined) return undefined
  const holder = record.stackHolder
  return new Deferral(record.type, kindOf(record.type, record.resource) === 'Interval', holder, holder?.[DEFERRAL])
}

/** A promise, or a tick that is no hop (a plain object): no record has its id, and it carries none. */
function runsNoRecord(running) {
  return running instanceof Promise || Object.getPrototypeOf(running) === Object.prototype
}

/**
 * The hop the code running now is in: the tick whose callback runs (kept on it), or the record in `scope` of the
 * timer, immediate or socket whose callback runs; undefined in a promise reaction or at the top level.
 * @param {import('./leak-scope.js').LeakScope | null} scope
 */
export function runningHop(scope) {
  const running = executionAsyncResource()
  if (running === null || typeof running !== 'object') return undefined
  const kept = running[DEFERRAL]
  // A tick Node scheduled in a record's callback keeps the record's async id, looked up only if it is ever needed.
  if (typeof kept === 'number') return recordHop(scope, kept)
  if (kept !== undefined || runsNoRecord(running)) return kept
  return recordHop(scope, executionAsyncId())
}

/**
 * What a tick Node scheduled carries: the hop of the code that scheduled it, as it is (a tick's), or as the async id
 * of the record whose callback runs (a number: the lookup is left to the rare resource made in that tick).
 */
function passedOn() {
  const running = executionAsyncResource()
  if (running === null || typeof running !== 'object') return undefined
  const kept = running[DEFERRAL]
  if (kept !== undefined || runsNoRecord(running)) return kept
  return executionAsyncId()
}

/** Attaches the hop the code running now is in to a creation stack holder, so the report can follow it back. */
export function attachRunningHop(holder, scope) {
  if (holder === null || holder === undefined) return
  const hop = runningHop(scope)
  if (hop !== undefined) holder[DEFERRAL] = hop
}

const toCallSites = (_, callSites) => callSites

/**
 * Whether the callback being scheduled now was scheduled by Node's own code: reads a few frames, structured. An
 * `Error.prepareStackTrace` that cannot be set (a locked-down realm) says no: the tick is captured, never a crash.
 */
function scheduledByNode(skipAbove) {
  const prepare = Error.prepareStackTrace
  const limit = Error.stackTraceLimit
  try {
    Error.prepareStackTrace = toCallSites
  } catch {
    return false
  }
  try {
    Error.stackTraceLimit = 6
    const holder = {}
    Error.captureStackTrace(holder, skipAbove)
    const callSites = holder.stack
    if (!Array.isArray(callSites)) return false
    for (const callSite of callSites) {
      const file = callSite.getFileName() ?? ''
      if (NODE_SCHEDULER_FRAMES.some((prefix) => file.startsWith(prefix))) continue
      return file.startsWith('node:')
    }
    return false
  } catch {
    return false
  } finally {
    Error.prepareStackTrace = prepare
    Error.stackTraceLimit = limit
  }
}

/** Records the deferrals made while a scope is active (called from the async hook's `init`, for DEFERRAL_TYPES). */
export class DeferralRecorder {
  /** Named callbacks only Node schedules (`afterWriteTick`): their ticks capture nothing. */
  #byNode = new WeakSet()
  /** Named callbacks seen scheduled by other code: captured each time, never classified again. */
  #byOthers = new WeakSet()

  /**
   * @param {object} resource the tick's (or microtask's) resource object, which its callback runs with
   * @param {string} type
   * @param {number} triggerAsyncId the async id the tick was made for
   * @param {import('./leak-scope.js').LeakScope} scope the active scope
   * @param {Function} skipAbove the hook function: its frames and those above are left out of the stack
   * @param {boolean} [byNode] the caller knows Node's own code schedules it
   */
  record(resource, type, triggerAsyncId, scope, skipAbove, byNode = false) {
    if (byNode || this.#madeByNode(resource, triggerAsyncId, skipAbove)) {
      const hop = passedOn()
      if (hop !== undefined) resource[DEFERRAL] = hop
      return
    }
    resource[DEFERRAL] = new Deferral(type, false, captureStack(skipAbove), runningHop(scope))
  }

  #madeByNode(resource, triggerAsyncId, skipAbove) {
    // A tick made for another resource than the one running: only Node's own code sets that trigger
    // (defaultTriggerAsyncIdScope, as net's connect does around its anonymous callback).
    if (triggerAsyncId !== executionAsyncId()) return true
    // A microtask's callback is set after its init: it is always captured.
    const callback = resource.callback
    if (typeof callback !== 'function' || callback.name === '' || this.#byOthers.has(callback)) return false
    return this.#byNode.has(callback) || this.#classify(callback, skipAbove)
  }

  /** Remembers who schedules a named callback; true when it is Node. */
  #classify(callback, skipAbove) {
    const byNode = scheduledByNode(skipAbove)
    if (byNode) this.#byNode.add(callback)
    else this.#byOthers.add(callback)
    return byNode
  }
}

/**
 * The callbacks a resource was made in, innermost first, each with the stack that scheduled it or made its
 * resource, formatted now (only leaks come here): `OpenResource.callbackHops` (src/leak_report.rs).
 * @param {object | null | undefined} holder the resource's creation stack holder (or its listen() call's)
 * @returns {Array<{ type: string, repeats: boolean, stack: string }>}
 */
export function hopsBack(holder) {
  const hops = []
  for (let hop = holder?.[DEFERRAL]; hop !== undefined; hop = hop.parent) {
    hops.push({ type: hop.type, repeats: hop.repeats, stack: stackText(hop.holder) })
  }
  return hops
}
