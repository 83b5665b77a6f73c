// Objects that must be garbage once a scope ends: watched by the user (`watch(obj)`, `toBeCollected()`) or
// automatically (the JS owners of handles a test closed). Held by WeakRef only: watching never keeps anything alive.
// Nor do the creation stacks kept with them: an unformatted stack holds the receivers of its frames (a server's
// own `listen()` frame holds the server), so a watched object's stack is formatted to text when it is watched.

import { captureStack, stackText } from './creation-stack.js'

export class WatchedObject {
  /** @param {string} stack the creation or watch stack, as text */
  constructor(target, label, stack, scope) {
    this.ref = new WeakRef(target)
    this.label = label
    this.stack = stack
    this.scope = scope
    this.constructorName = target?.constructor?.name ?? typeof target
  }

  isAlive() {
    return this.ref.deref() !== undefined
  }
}

export class WatchRegistry {
  constructor() {
    /** @type {WatchedObject[]} */
    this.watched = []
    /** @type {WatchedObject[]} owners of handles that tests closed, checked together when the file ends */
    this.closedOwners = []
  }

  /**
   * Watches the owner of a handle a test closed (a server): it should become garbage, unless something holds it.
   * Only the first of each kind (`what`: server, socket) in a file keeps its creation stack, formatted (formatting
   * costs ~64 µs; a report names one site per kind).
   */
  watchClosedOwner(owner, testName, stackHolder, what) {
    const first = !this.closedOwners.some((watched) => watched.what === what)
    const watched = new WatchedObject(owner, undefined, first ? stackText(stackHolder) : '', null)
    watched.testName = testName
    watched.what = what
    this.closedOwners.push(watched)
  }

  /** The closed owners watched so far, taken out of the registry. */
  takeClosedOwners() {
    const owners = this.closedOwners
    this.closedOwners = []
    return owners
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
    const watched = new WatchedObject(target, label, stackText(captureStack(skipAbove)), scope)
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
