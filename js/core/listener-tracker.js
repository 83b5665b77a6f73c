// Listeners a test adds to emitters that outlive it: `process.on('SIGTERM')` per server, a handler on a module
// singleton, an 'abort' listener on a shared AbortSignal. Listeners are not async resources, so the async hook never
// sees them; this patches the add methods of EventEmitter and EventTarget instead.
//
// Only adds to an emitter born before the running scope are recorded (with a stack): emitters a test creates are
// its own business, and most adds (a socket's, a request's) go to those, which keeps the hot path to a WeakMap
// lookup. An emitter's birth is seen in `EventEmitter.init` (every emitter's constructor calls it); an
// EventTarget's in the constructors of EventTarget and AbortController, wrapped in Proxies, and AbortSignal's
// static factories. Where those globals cannot be replaced, listeners on EventTargets go unchecked (the session
// says so once) rather than every listener on a test's own AbortSignal called a leak. Removals are not patched: at
// the end of the scope each recorded listener is looked up on its emitter, so `off`, `removeAllListeners`, a fired
// `once`, `{ once: true }` and `{ signal }` all count.
//
// Invisible to user code: listeners are never wrapped (`rawListeners`, `listenerCount` and `this` in a handler stay
// as Node defines them), the patched methods keep their names and lengths, and `disable()` restores everything.

import { EventEmitter, getEventListeners } from 'node:events'
import { captureStack, CreationRecord, CreationStacks } from './creation-stack.js'
import { attachRunningHop } from './deferrals.js'
import { LISTENER_TYPE, pseudoId } from './kinds.js'

/** Makes `wrapper` read like `original`: same name and length. */
function likeOriginal(wrapper, original) {
  Object.defineProperty(wrapper, 'name', { value: original.name })
  Object.defineProperty(wrapper, 'length', { value: original.length })
  return wrapper
}

/** The add stacks of listeners, by listener and record (see CreationStacks). */
const addStacks = new CreationStacks()

/**
 * One listener a scope added to an emitter born before it, reported like a resource. It holds the emitter and the
 * listener weakly: a listener removed, with the emitter or the closure it holds, is collected as without leakwatch.
 */
export class ListenerRecord extends CreationRecord {
  constructor(emitter, event, listener, stackHolder, isEventTarget) {
    super(pseudoId(), LISTENER_TYPE)
    this.resource = null
    this.emitterRef = new WeakRef(emitter)
    this.event = event
    this.listenerRef = new WeakRef(listener)
    this.isEventTarget = isEventTarget
    addStacks.set(listener, this, stackHolder)
  }

  /** @returns {object | undefined} the emitter, unless it was collected */
  get emitter() {
    return this.emitterRef.deref()
  }

  get stackHolder() {
    return addStacks.get(this.listenerRef.deref(), this)
  }

  /** The listener is still on its emitter. A `once` listener is recorded as Node's wrapper, removed when it fires. */
  isAttached() {
    const emitter = this.emitter
    const listener = this.listenerRef.deref()
    if (emitter === undefined || listener === undefined) return false
    try {
      const listeners = this.isEventTarget ? getEventListeners(emitter, this.event) : emitter.rawListeners(this.event)
      return listeners.includes(listener)
    } catch {
      return false
    }
  }
}

/** A MaxListenersExceededWarning that a scope's add caused. */
export class MaxListenersRecord extends CreationRecord {
  constructor(emitter, event, count, stackHolder) {
    super(pseudoId(), LISTENER_TYPE)
    this.stackHolder = stackHolder
    this.emitter = emitter
    this.event = event
    this.count = count
  }
}

/**
 * Puts `value` in the place of the global `name`; returns what puts the original back, or null where the global
 * cannot be replaced. A vm context may define a global read-only but configurable (vitest's vm pools do on Node 20,
 * where Node's own globals are lazy accessors): it is redefined, with the attributes it had.
 */
function replaceGlobal(name, value) {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, name)
  if (descriptor === undefined || !descriptor.configurable) return null
  // A lazy accessor becomes a writable value when assigned: as Node's own setter makes it.
  const writable = 'value' in descriptor ? descriptor.writable : true
  Object.defineProperty(globalThis, name, { value, writable, enumerable: descriptor.enumerable, configurable: true })
  return () => Object.defineProperty(globalThis, name, descriptor)
}

export class ListenerTracker {
  #noticeGiven = false

  /** @param {{ scopeNow(): import('./leak-scope.js').LeakScope | null }} scopes where the current scope is read */
  constructor(scopes) {
    this.scopes = scopes
    /** Emitters and EventTargets born while a scope was active, with that scope. */
    this.bornIn = new WeakMap()
    /** Listener arrays Node already warned about (`warned`), so a warning is attributed once. */
    this.warnedLists = new WeakSet()
    this.restore = []
    /** @type {string | undefined} why listeners on EventTargets are not tracked, when they cannot be */
    this.eventTargetsUntracked = undefined
  }

  get enabled() {
    return this.restore.length > 0
  }

  enable() {
    if (this.enabled) return
    this.#patchEventEmitter()
    this.#patchEventTarget()
  }

  disable() {
    for (const undo of this.restore.splice(0).reverse()) undo()
  }

  /**
   * What a person must know about this tracker's limits, once: that listeners on EventTargets are not checked here.
   * Undefined when there is nothing to say, or it was said.
   */
  takeNotice() {
    if (this.eventTargetsUntracked === undefined || this.#noticeGiven) return undefined
    this.#noticeGiven = true
    return `${this.eventTargetsUntracked}: listeners left on an AbortSignal or EventTarget are not checked in this worker; every other check runs.`
  }

  /**
   * The emitter was born in `scope` or in one nested in it: not a leak candidate. Asked again at the end of the
   * scope, since some constructors add listeners before their emitter's init runs (TLSSocket wraps its handle,
   * adding a 'close' listener, before it calls the Socket constructor).
   */
  bornInScope(emitter, scope) {
    for (let born = this.bornIn.get(emitter); born !== undefined && born !== null; born = born.parent) {
      if (born === scope) return true
    }
    return false
  }

  #markBirth(emitter) {
    const scope = this.scopes.scopeNow()
    if (scope !== null) this.bornIn.set(emitter, scope)
  }

  #patchEventEmitter() {
    const tracker = this
    const scopes = this.scopes
    const proto = EventEmitter.prototype

    const originalInit = EventEmitter.init
    // Every emitter's constructor runs this: `arguments` passed on as they are, no rest array.
    EventEmitter.init = likeOriginal(function init() {
      tracker.#markBirth(this)
      return originalInit.apply(this, arguments)
    }, originalInit)
    this.restore.push(() => (EventEmitter.init = originalInit))

    const wrapAdd = (original) => {
      const add = likeOriginal(function (type, listener) {
        const scope = scopes.scopeNow()
        // An emitter whose constructor never ran EventEmitter's (util.inherits without the call: avvio's Boot, under
        // every Fastify app) gets its `_events` on its first add: it is born now, as far as anyone can tell.
        if (scope !== null && this._events === undefined) tracker.bornIn.set(this, scope)
        const result = original.call(this, type, listener)
        if (scope !== null && !tracker.bornInScope(this, scope)) {
          // For `once`, `listener` is Node's wrapper, the function the emitter holds until it fires.
          const stackHolder = captureStack(add)
          attachRunningHop(stackHolder, scope)
          scope.addListenerRecord(new ListenerRecord(this, type, listener, stackHolder, false))
          tracker.#noteWarning(this, type, scope, add)
        }
        return result
      }, original)
      return add
    }
    // `on` and `addListener` are one function in Node; they stay one. `once` and `prependOnceListener` call them.
    const originalOn = proto.on
    const originalPrepend = proto.prependListener
    const on = wrapAdd(originalOn)
    proto.on = proto.addListener = on
    proto.prependListener = wrapAdd(originalPrepend)
    this.restore.push(() => {
      proto.on = proto.addListener = originalOn
      proto.prependListener = originalPrepend
    })
  }

  // Node warns once per emitter and event, marking the listener array `warned`: the add that did it is this one.
  #noteWarning(emitter, type, scope, skipAbove) {
    const list = emitter._events?.[type]
    if (list?.warned !== true || this.warnedLists.has(list)) return
    this.warnedLists.add(list)
    scope.addMaxListenersRecord(new MaxListenersRecord(emitter, type, list.length, captureStack(skipAbove)))
  }

  #patchEventTarget() {
    // Without births, every listener a test adds to an AbortSignal of its own would look like a leak: none are tracked.
    if (!this.#patchEventTargetBirths()) return
    const tracker = this
    const scopes = this.scopes
    const proto = EventTarget.prototype
    const originalAdd = proto.addEventListener
    const addEventListener = likeOriginal(function (type, listener, options) {
      const scope = scopes.scopeNow()
      const result = originalAdd.call(this, type, listener, options)
      // A MessagePort is a handle the async hook tracks; Node itself adds listeners to the ports it creates.
      if (scope !== null && listener != null && !(this instanceof MessagePort) && !tracker.bornInScope(this, scope)) {
        const stackHolder = captureStack(addEventListener)
        attachRunningHop(stackHolder, scope)
        scope.addListenerRecord(new ListenerRecord(this, type, listener, stackHolder, true))
      }
      return result
    }, originalAdd)
    proto.addEventListener = addEventListener
    this.restore.push(() => (proto.addEventListener = originalAdd))
  }

  /**
   * Sees EventTargets born: an EventTarget or AbortController constructed while a scope is active, and AbortSignal's
   * factories. The constructors can only be wrapped where their globals can be replaced; false where they cannot,
   * with nothing patched.
   */
  #patchEventTargetBirths() {
    const tracker = this
    const undo = []
    this.eventTargetsUntracked = undefined
    for (const name of ['EventTarget', 'AbortController']) {
      const original = globalThis[name]
      const restore = replaceGlobal(
        name,
        new Proxy(original, {
          construct(target, args, newTarget) {
            const instance = Reflect.construct(target, args, newTarget)
            tracker.#markBirth(instance)
            if (instance instanceof AbortController) tracker.#markBirth(instance.signal)
            return instance
          },
        }),
      )
      if (restore === null) {
        for (const done of undo) done()
        this.eventTargetsUntracked = `globalThis.${name} is read-only here, so leakwatch cannot see which EventTargets a test creates`
        return false
      }
      undo.push(restore)
    }
    this.restore.push(...undo)
    for (const name of ['abort', 'timeout', 'any']) {
      const original = AbortSignal[name]
      if (typeof original !== 'function') continue
      AbortSignal[name] = likeOriginal(function (...args) {
        const signal = original.apply(this, args)
        tracker.#markBirth(signal)
        return signal
      }, original)
      this.restore.push(() => (AbortSignal[name] = original))
    }
    return true
  }
}

/** The emitter in words: `process`, `Redis (127.0.0.1:6379)`, `Socket 127.0.0.1:5000 -> 127.0.0.1:6379`. */
export function describeEmitter(emitter) {
  if (emitter === process) return 'process'
  if (emitter === globalThis) return 'globalThis'
  let name
  try {
    name = emitter?.constructor?.name || 'EventEmitter'
    const options = emitter.options
    if (options && typeof options.host === 'string' && options.port !== undefined)
      return `${name} (${options.host}:${options.port})`
    if (typeof emitter.remoteAddress === 'string')
      return `${name} ${emitter.localAddress}:${emitter.localPort} -> ${emitter.remoteAddress}:${emitter.remotePort}`
    if (emitter instanceof AbortSignal) return emitter.aborted ? 'AbortSignal (aborted)' : 'AbortSignal'
    return name
  } catch {
    return name ?? 'an emitter'
  }
}
