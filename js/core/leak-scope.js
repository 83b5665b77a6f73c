// A scope is what a leak is attributed to: a test, a file (beforeAll and module level), or an expectNoLeaks() call.
//
// It holds the reportable resources created while it was active, with their creation stacks captured but not
// formatted (formatting costs ~64 µs inside vitest; only leaked resources are ever formatted). It holds them weakly:
// with leakwatch loaded, what a test lets go of is collected exactly as without it (a test may assert that its closed
// server is collected). That loses nothing: an open handle, timer or immediate is held by Node itself until it
// closes, so a resource that is gone was closed. `release()` drops the records when the scope ends.

import { CreationRecord, CreationStacks } from './creation-stack.js'
import { livenessOrClosed } from './liveness.js'

const creationStacks = new CreationStacks()

/** Types whose resource Node closes when it is collected (with a warning): held strongly, or the leak would vanish. */
const CLOSED_BY_GC = new Set(['FILEHANDLE'])

export class ResourceRecord extends CreationRecord {
  constructor(asyncId, type, triggerAsyncId, resource, stackHolder) {
    super(asyncId, type)
    this.triggerAsyncId = triggerAsyncId
    this.ref = new WeakRef(resource)
    this.held = CLOSED_BY_GC.has(type) ? resource : undefined
    creationStacks.set(resource, this, stackHolder)
  }

  /** The resource, or undefined once it was collected (it was closed). */
  get resource() {
    return this.ref.deref()
  }

  get stackHolder() {
    return creationStacks.get(this.resource, this)
  }
}

export class LeakScope {
  /**
   * @param {string} subject who leaks, in words: `test "name"`, `file a.test.ts (beforeAll and module level)`
   * @param {LeakScope | null} parent the scope this one is nested in; resources are recorded in both
   */
  constructor(subject, parent = null) {
    this.subject = subject
    /** @type {string | undefined} the full name of the test the scope is (or is in), for baseline entries */
    this.testName = parent?.testName
    this.parent = parent
    /** @type {ResourceRecord[]} */
    this.records = []
    /** @type {import('./listener-tracker.js').ListenerRecord[]} listeners added to emitters born before the scope */
    this.listenerRecords = []
    /** @type {import('./listener-tracker.js').MaxListenersRecord[]} */
    this.maxListenersRecords = []
    this.allowed = false
    /** Resources already reported (by an explicit expectNoLeaks()), not to be reported twice. */
    this.reported = new Set()
    /** Tests ran concurrently while this scope was open: another test's resources may be in it. */
    this.attributionUncertain = false
    /** The servers whose listen() was called in the scope, weakly: one may get its handle only after a lookup. */
    this.listened = []
    /** The scope's check is over: what its async context makes from now on is not its own any more. */
    this.ended = false
    /** Where what the scope's async context makes after it ended belongs: its file's scope, checked at the end. */
    this.lateScope = parent?.lateScope ?? null
    /**
     * The scope is a test's or a file's, whose report says which LeakErrors leakwatch threw inside it (set by the
     * runner's session): a process's scope keeps none, however often an audit in it fails.
     */
    this.keepsThrown = false
    /** @type {Array<{ error: import('./leak-error.js').LeakError, by: string }>} LeakErrors thrown inside, and by what */
    this.thrown = []
  }

  /**
   * Notes a LeakError leakwatch threw for a check made inside the scope (`by`: `expectNoLeaks`,
   * `assertCleanShutdown`), for the reports of the test or file it is in: if it fails the test, the test failed for
   * these leaks.
   */
  noteThrown(error, by) {
    for (let scope = this; scope !== null; scope = scope.parent) if (scope.keepsThrown) scope.thrown.push({ error, by })
  }

  /**
   * Notes a listen() call made in the scope (and in the enclosing ones) whose host is being looked up.
   * @param {import('node:net').Server} server
   * @param {{ done: boolean } | null} lookup null when the lookup could not be followed
   */
  addListen(server, lookup) {
    const entry = { ref: new WeakRef(server), listeningId: server._listeningId, lookup }
    for (let scope = this; scope !== null; scope = scope.parent) scope.listened.push(entry)
  }

  /**
   * Whether a server whose listen() was called in the scope has no handle yet: `listen(port, host)` makes the handle
   * after a DNS lookup, so an un-awaited call ends the test before its server exists. Worth waiting for.
   */
  hasPendingListen() {
    for (const { ref, listeningId, lookup } of this.listened) {
      if (lookup?.done) continue
      const server = ref.deref()
      if (server !== undefined && isPendingListen(server, listeningId)) return true
    }
    return false
  }

  /** Reported once, reported for the enclosing scopes too: the person has seen it. */
  markReported(record) {
    for (let scope = this; scope !== null; scope = scope.parent) scope.reported.add(record)
  }

  add(record) {
    for (let scope = this; scope !== null; scope = scope.parent) scope.records.push(record)
  }

  addListenerRecord(record) {
    for (let scope = this; scope !== null; scope = scope.parent) scope.listenerRecords.push(record)
  }

  addMaxListenersRecord(record) {
    for (let scope = this; scope !== null; scope = scope.parent) scope.maxListenersRecords.push(record)
  }

  /**
   * The listeners the scope added that are still on their emitters.
   * @param {{ includeReported?: boolean, bornInScope: (emitter: object, scope: LeakScope) => boolean }} filter
   */
  attachedListeners({ includeReported = false, bornInScope }) {
    return this.listenerRecords.filter(
      (record) =>
        (includeReported || !this.reported.has(record)) && record.isAttached() && !bornInScope(record.emitter, this),
    )
  }

  /** The records whose resource is still open, with their liveness ('ref' or, when asked for, 'unref'). */
  openRecords({ includeUnref = false, includeReported = false } = {}) {
    const open = []
    for (const record of this.records) {
      if (!includeReported && this.reported.has(record)) continue
      const liveness = livenessOrClosed(record.type, record.resource)
      if (liveness === 'ref' || (includeUnref && liveness === 'unref')) open.push({ record, liveness })
    }
    return open
  }

  recordByAsyncId(asyncId) {
    // From the newest: the record looked for is most often one whose callback runs now.
    return this.records.findLast((record) => record.asyncId === asyncId)
  }

  /** The records whose resource is not closed (a collected one was closed), whatever their ref state. */
  notClosedRecords() {
    return this.records.filter((record) => livenessOrClosed(record.type, record.resource) !== 'closed')
  }

  release() {
    this.ended = true
    // The scope lives on in the async context of whatever its test left running: it keeps nothing of the test's.
    this.attempt = undefined
    this.listened = []
    this.records = []
    this.listenerRecords = []
    this.maxListenersRecords = []
    this.thrown = []
    this.reported.clear()
  }
}

/**
 * The server, whose host lookup has not answered yet, has no handle and was not closed since (close() bumps
 * `_listeningId`, which Node's own lookup callback checks the same way).
 */
function isPendingListen(server, listeningId) {
  try {
    return server._handle == null && !server.listening && server._listeningId === listeningId
  } catch {
    return false
  }
}
