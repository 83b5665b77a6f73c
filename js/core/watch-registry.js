// Objects that must be garbage once a scope ends: watched by the user (`watch(obj)`, `toBeCollected()`) or
// automatically (the JS owners of handles a test closed). Held by WeakRef only: watching never keeps anything alive.
// Nor do the creation stacks kept with them: an unformatted stack holds the receivers of its frames (a server's
// own `listen()` frame holds the server), so a watched object's stack is formatted to text when it is watched, and a
// closed owner's is kept in a WeakMap by its owner.

import { captureStack, stackText } from './creation-stack.js'
import { hopsBack } from './deferrals.js'

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

  /**
   * Whether a server its test closed is still closing: Node closes a server once its last connection has ended
   * (server.close()'s callback and 'close' wait for them), and until then each open connection holds it
   * (Socket.server). Those connections are the leak, reported as the sockets they are; the server is not retained.
   */
  isStillClosing() {
    const server = this.what === 'server' ? this.ref.deref() : undefined
    return typeof server?._connections === 'number' && server._connections > 0
  }
}

export class WatchRegistry {
  constructor() {
    /** @type {WatchedObject[]} */
    this.watched = []
    /** @type {WatchedObject[]} owners of handles that tests closed, one per object, checked when the file ends */
    this.closedOwners = []
    /**
     * The unformatted creation stack of each closed owner, by owner. A WeakMap entry lives only as long as its key,
     * and the stack holds the owner through its frames (a server's own `listen()` frame): an entry keeps neither
     * alive, and the stack is formatted only for a report (the first costs ~10 ms inside vitest).
     * @type {WeakMap<object, object>}
     */
    this.sites = new WeakMap()
    /** @type {WatchedObject[]} objects watched in tests whose check could take no heap snapshot: the file decides */
    this.deferred = []
  }

  /**
   * Watches the owner of a handle a test closed (a server, a socket): it should become garbage, unless something
   * holds it. One object closed by several tests (a describe-level server each test listens on) is watched once,
   * with the first of them.
   */
  watchClosedOwner(owner, testName, stackHolder, what) {
    if (this.sites.has(owner)) return
    this.sites.set(owner, stackHolder)
    const watched = new WatchedObject(owner, undefined, '', null)
    watched.testName = testName
    watched.what = what
    this.closedOwners.push(watched)
  }

  /** The creation site of a closed owner still alive, as text (formatted now, for a report). */
  closedOwnerSite(watched) {
    return stackText(this.sites.get(watched.ref.deref()))
  }

  /** The callbacks a closed owner still alive was made in (see deferrals.js), formatted now, for a report. */
  closedOwnerHops(watched) {
    return hopsBack(this.sites.get(watched.ref.deref()))
  }

  /** The closed owners watched so far, taken out of the registry. */
  takeClosedOwners() {
    const owners = this.closedOwners
    this.closedOwners = []
    return owners
  }

  /** A new file: its owners and sites are its own. */
  resetClosedOwners() {
    this.closedOwners = []
    this.sites = new WeakMap()
  }

  /**
   * Leaves an object watched in a test to the end of the file: it outlived its test, and whether the program holds
   * it takes a heap snapshot, which that test's check could not take. Its scope is over: it is not kept.
   */
  defer(watched, testName) {
    watched.scope = null
    watched.testName = testName
    this.deferred.push(watched)
  }

  /** The deferred objects, taken out of the registry. */
  takeDeferred() {
    const deferred = this.deferred
    this.deferred = []
    return deferred
  }

  /**
   * @param {object} target what must become garbage
   * @param {string | undefined} label how the report names it
   * @param {object | null} scope the scope it is checked with
   * @param {Function} skipAbove the API function the user called, left out of the stack
   */
  watch(target, label, scope, skipAbove) {
    if (target === null || (typeof target !== 'object' && typeof target !== 'function')) {
      throw new TypeError(
        `leakwatch: watch() takes an object or a function; got ${target === null ? 'null' : typeof target}`,
      )
    }
    const watched = new WatchedObject(target, label, stackText(captureStack(skipAbove)), scope)
    this.watched.push(watched)
    return watched
  }

  /** Whether objects are watched in `scope`. */
  watches(scope) {
    return this.watched.some((watched) => watched.scope === scope)
  }

  /** The watched objects of `scope`, taken out of the registry. */
  take(scope) {
    const mine = this.watched.filter((watched) => watched.scope === scope)
    this.watched = this.watched.filter((watched) => watched.scope !== scope)
    return mine
  }
}
