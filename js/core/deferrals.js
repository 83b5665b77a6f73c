// Where a deferred callback was scheduled: the way back from a resource a library opened in a callback of its own
// (ioredis connects in a `process.nextTick`) to the line of user code that led to it.
//
// Such a resource's creation stack has no frame of the user's code: it begins in the library's callback. The stack
// of the call that scheduled the callback has it. So, while a scope is active, each `process.nextTick` and
// `queueMicrotask` made by code other than Node's own gets its scheduling stack captured, unformatted, and kept on
// the tick's resource object (a symbol property: the tick object is dropped once its callback has run, and so is
// what hangs on it). What runs in that callback finds it on `executionAsyncResource()`: a resource created there
// keeps it with its creation stack, and a tick scheduled there keeps it as its parent, hop after hop. Timers and
// immediates are hops too, through the records of the scope (by `triggerAsyncId`), not through this file.
//
// Cost: a tick scheduled by Node's own code (most of them: stream internals, `emitCloseNT`) captures nothing. Its
// callback is a function of Node's that Node schedules again and again: the first time a named callback is seen, a
// few frames are read to tell who scheduled it, and a callback Node scheduled is never looked at again. A tick Node
// schedules inside a hop passes that hop on (a library's write in its tick, then Node's `afterWriteTick`). Promise
// reactions are not followed: capturing a stack for each promise costs too much; an `await` chain needs nothing,
// since V8 keeps the awaiting callers in the stack.

import { executionAsyncResource } from 'node:async_hooks'
import { captureStack, stackText } from './creation-stack.js'

/** The hop a resource object carries (a tick's), or that a creation stack holder was made in. */
export const DEFERRAL = Symbol('leakwatch.deferral')

/** The async_hooks types whose scheduling stack is captured here. */
export const DEFERRAL_TYPES = Object.freeze({ TickObject: true, Microtask: true })

/**
 * Hops kept behind a callback: a tick that schedules itself again keeps no more than this many before it, so a loop
 * of ticks holds a bounded chain. A report follows no more than this many either.
 */
export const MAX_HOPS = 8

/** Node's own code: the frames of async_hooks and of nextTick/queueMicrotask themselves come first. */
const NODE_SCHEDULER_FRAMES = ['node:internal/async_hooks', 'node:internal/process/task_queues']

/** One deferred callback: where it was scheduled (an unformatted stack), and the hop it was scheduled in. */
export class Deferral {
  constructor(type, holder, parent, triggerAsyncId) {
    this.type = type
    this.holder = holder
    /** @type {Deferral | undefined} */
    this.parent = parent
    this.depth = parent === undefined ? 0 : parent.depth + 1
    /** When there is no parent hop: the async id of what ran the scheduling code (a timer, a socket's callback). */
    this.triggerAsyncId = triggerAsyncId
  }
}

/** The hop the code running now is in (the tick whose callback runs), or undefined. */
export function currentDeferral() {
  return executionAsyncResource()?.[DEFERRAL]
}

const toCallSites = (_, callSites) => callSites

/** Whether the callback being scheduled now was scheduled by Node's own code: reads a few frames, structured. */
function scheduledByNode(skipAbove) {
  const prepare = Error.prepareStackTrace
  const limit = Error.stackTraceLimit
  const holder = {}
  try {
    Error.prepareStackTrace = toCallSites
    Error.stackTraceLimit = 6
    Error.captureStackTrace(holder, skipAbove)
    const callSites = holder.stack
    if (!Array.isArray(callSites)) return false
    for (const callSite of callSites) {
      const file = callSite.getFileName() ?? ''
      if (NODE_SCHEDULER_FRAMES.some((prefix) => file.startsWith(prefix))) continue
      return file.startsWith('node:')
    }
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
   * @param {number} triggerAsyncId
   * @param {Function} skipAbove the hook function: its frames and those above are left out of the stack
   */
  record(resource, type, triggerAsyncId, skipAbove) {
    const parent = currentDeferral()
    const callback = resource.callback
    if (typeof callback === 'function' && callback.name !== '' && !this.#byOthers.has(callback)) {
      if (this.#byNode.has(callback) || this.#classify(callback, skipAbove)) {
        if (parent !== undefined) resource[DEFERRAL] = parent
        return
      }
    }
    const kept = parent !== undefined && parent.depth < MAX_HOPS - 1 ? parent : undefined
    resource[DEFERRAL] = new Deferral(type, captureStack(skipAbove), kept, triggerAsyncId)
  }

  /** Remembers who schedules a named callback; true when it is Node. */
  #classify(callback, skipAbove) {
    const byNode = scheduledByNode(skipAbove)
    if (byNode) this.#byNode.add(callback)
    else this.#byOthers.add(callback)
    return byNode
  }
}

/** Attaches the hop the code running now is in to a creation stack holder, so the report can follow it back. */
export function attachCurrentDeferral(holder) {
  if (holder === null || holder === undefined) return
  const deferral = currentDeferral()
  if (deferral !== undefined) holder[DEFERRAL] = deferral
}

/**
 * The stacks that led to a resource, innermost first: the ticks it was made in, then the records of `scope` (timers,
 * sockets) whose callbacks made those, and so on, up to MAX_HOPS. Formatted now: only leaks come here.
 * @param {import('./leak-scope.js').LeakScope | null} scope null when it is over: only ticks are followed
 * @param {object | null | undefined} holder the resource's creation stack holder (or its listen() call's)
 * @param {number} triggerAsyncId the resource's trigger
 * @param {(record: object) => { type: string, repeats: boolean, stack: string } | undefined} describeRecord a record
 *   of the scope as a hop, or undefined to stop there (a server: the accepted connection's own story)
 * @returns {Array<{ type: string, repeats: boolean, stack: string }>}
 */
export function hopsBack(scope, holder, triggerAsyncId, describeRecord) {
  const hops = []
  let deferral = holder?.[DEFERRAL]
  let trigger = triggerAsyncId
  while (hops.length < MAX_HOPS) {
    if (deferral !== undefined) {
      hops.push({ type: deferral.type, repeats: false, stack: stackText(deferral.holder) })
      trigger = deferral.triggerAsyncId
      deferral = deferral.parent
      continue
    }
    const record = scope?.recordByAsyncId(trigger)
    const hop = record && describeRecord(record)
    if (!hop) break
    hops.push(hop)
    deferral = record.stackHolder?.[DEFERRAL]
    trigger = record.triggerAsyncId
  }
  return hops
}
