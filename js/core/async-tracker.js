// The per-event path: an async_hooks `init` hook that records the reportable resources created in the active scope.
//
// Every async resource of the process passes through `init` (promises above all), so it does as little as it can:
// one property read when no scope is active, one table lookup for unreportable types, and for reportable ones a
// stack captured unformatted (a few µs; formatting costs ten times more). There is no `destroy` hook: with one, Node tracks every promise for GC, and a
// closed handle reports `destroy` only when collected; liveness is read from the resource at the end of the scope.
// No napi call happens here. Nothing may read a handle's getters in `init`: `fd` there crashes Node 20.

import { createHook } from 'node:async_hooks'
import net from 'node:net'
import { captureStack } from './creation-stack.js'
import { ResourceRecord } from './leak-scope.js'

/** Types whose stack at `init` has no JS frame of its own; they borrow one captured just before (see below). */
const FILE_HANDLE = 'FILEHANDLE'
const FILE_REQUEST = 'FSREQPROMISE'
const SERVER_TYPES = { TCPSERVERWRAP: true, PIPESERVERWRAP: true }
const ACCEPTED_TYPES = { TCPWRAP: true, PIPEWRAP: true }

export class AsyncResourceTracker {
  /** @param {Iterable<string>} reportableTypes the async_hooks types to record */
  constructor(reportableTypes) {
    /** @type {import('./leak-scope.js').LeakScope | null} */
    this.activeScope = null
    this.reportable = Object.create(null)
    for (const type of reportableTypes) this.reportable[type] = true
    /** Stacks of `listen()` calls, for servers whose handle is created a tick or a DNS lookup later. */
    this.listenStacks = new WeakMap()
    this.lastFileRequestStack = undefined
    /**
     * Resources a closed scope left open, by async id, as { type, resource: WeakRef }. What they create later (a
     * leaked interval's callbacks, a self-rescheduling immediate) is theirs, not the running test's: a leak fails
     * the test that made it, never the next one.
     */
    this.leftOpen = new Map()
    /** Async ids of the servers recorded in open scopes, to know a connection they accepted when it is created. */
    this.serverIds = new Set()
    this.hook = createHook({ init: this.#createInitHook() })
    this.originalListen = undefined
  }

  // A closure over locals rather than a bound method: this runs for every promise of the process.
  #createInitHook() {
    const tracker = this
    const reportable = this.reportable
    const leftOpen = this.leftOpen
    const serverIds = this.serverIds
    function init(asyncId, type, triggerAsyncId, resource) {
      if (type === 'PROMISE') return
      const scope = tracker.activeScope
      if (scope === null) return
      if (leftOpen.size !== 0 && leftOpen.has(triggerAsyncId)) {
        if (reportable[type] === true) leftOpen.set(asyncId, { type, resource: new WeakRef(resource) })
        return
      }
      if (reportable[type] !== true) {
        // fs.promises.open's FileHandle is created with no JS frame on the stack; the request that opened it was
        // created just before, with the user's frame. Only the last one is kept.
        if (type === FILE_REQUEST) tracker.lastFileRequestStack = captureStack(init)
        return
      }
      let stackHolder
      if (type === FILE_HANDLE) stackHolder = tracker.lastFileRequestStack
      // A connection a server accepted has no user frame; its report points at the server: no stack to capture.
      else if (!(ACCEPTED_TYPES[type] === true && serverIds.has(triggerAsyncId))) stackHolder = captureStack(init)
      else stackHolder = null
      if (SERVER_TYPES[type] === true) serverIds.add(asyncId)
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
    for (const record of records) if (SERVER_TYPES[record.type] === true) this.serverIds.delete(record.asyncId)
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
    for (const record of records) this.leftOpen.set(record.asyncId, { type: record.type, resource: new WeakRef(record.resource) })
  }

  /** Runs `fn` with no scope active, so that leakwatch's own timers are never recorded. */
  untracked(fn) {
    const scope = this.activeScope
    this.activeScope = null
    try {
      return fn()
    } finally {
      this.activeScope = scope
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
        if (tracker.activeScope !== null) tracker.listenStacks.set(this, captureStack(listen))
        return originalListen.apply(this, args)
      },
    }.listen
    Object.defineProperty(listen, 'length', { value: originalListen.length })
    net.Server.prototype.listen = listen
  }
}
