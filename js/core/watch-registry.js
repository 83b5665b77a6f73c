// Objects that must be garbage once a scope ends: watched by the user (`watch(obj)`, `toBeCollected()`) or
// automatically (the JS owners of handles a test closed). Held by WeakRef only: watching never keeps anything alive.

import { captureStack, stackText } from './creation-stack.js'

export class WatchedObject {
  constructor(target, label, stackHolder, scope) {
    this.ref = new WeakRef(target)
    this.label = label
    this.stackHolder = stackHolder
    this.scope = scope
    this.constructorName = target?.constructor?.name ?? typeof target
  }

  get stack() {
    return stackText(this.stackHolder)
  }

  isAlive() {
    return this.ref.deref() !== undefined
  }
}

export class WatchRegistry {
  constructor() {
    /** @type {WatchedObject[]} */
    this.watched = []
  }

  /**
   * @param {object} target what must become garbage
   * @param {string | undefined} label how the report names it
   * @param {object | null} scope the scope it is checked with
   * @param {Function} skipAbove the API function the user called, left out of the stack
   */
  watch(target, label, scope, skipAbove) {
    if (target === null || (typeof target !== 'object' && typeof target !== 'function')) {
      throw new TypeError(`leakwatch: watch() takes an object or a function; got ${target === null ? 'null' : typeof target}`)
    }
    const watched = new WatchedObject(target, label, captureStack(skipAbove), scope)
    this.watched.push(watched)
    return watched
  }

  /** The watched objects of `scope`, taken out of the registry. */
  take(scope) {
    const mine = this.watched.filter((watched) => watched.scope === scope)
    this.watched = this.watched.filter((watched) => watched.scope !== scope)
    return mine
  }
}
