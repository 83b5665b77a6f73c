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
    /** @type {Map<string, object>} the unformatted creation stack of the first closed owner of each kind */
    this.siteHolders = new Map()
  }

  /**
   * Watches the owner of a handle a test closed (a server, a socket): it should become garbage, unless something
   * holds it. The first of each kind (`what`) in a file carries the kind's creation site for the report, unformatted
   * (formatting the first stack of a file costs ~10 ms inside vitest, a clean file should not pay it): its stack
   * holds the object through its frames, so that one is not watched.
   */
  watchClosedOwner(owner, testName, stackHolder, what) {
    if (!this.siteHolders.has(what)) {
      this.siteHolders.set(what, stackHolder)
      return
    }
    const watched = new WatchedObject(owner, undefined, '', null)
    watched.testName = testName
    watched.what = what
    this.closedOwners.push(watched)
  }

  /** The creation site of the first closed owner of a kind, as text (formatted now, for a report). */
  closedOwnerSite(what) {
    return stackText(this.siteHolders.get(what))
  }

  /** The closed owners watched so far, taken out of the registry with the sites they carry. */
  takeClosedOwners() {
    const owners = this.closedOwners
    this.closedOwners = []
    return owners
  }

  /** A new file: its sites are its own. */
  resetClosedOwners() {
    this.closedOwners = []
    this.siteHolders.clear()
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
