// A scope is what a leak is attributed to: a test, a file (beforeAll and module level), or an expectNoLeaks() call.
//
// It holds the reportable resources created while it was active, with their creation stacks captured but not
// formatted (formatting costs ~64 µs inside vitest; only leaked resources are ever formatted). Holding the resources
// strongly is safe while the scope is open; `release()` drops them when it ends, so tracking never keeps a
// resource alive past its scope.

import { CreationRecord } from './creation-stack.js'
import { livenessOrClosed } from './liveness.js'

export class ResourceRecord extends CreationRecord {
  constructor(asyncId, type, triggerAsyncId, resource, stackHolder) {
    super(asyncId, type, stackHolder)
    this.triggerAsyncId = triggerAsyncId
    this.resource = resource
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
      (record) => (includeReported || !this.reported.has(record)) && record.isAttached() && !bornInScope(record.emitter, this),
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
    return this.records.find((record) => record.asyncId === asyncId)
  }

  /** The records whose resource is not closed, whatever their ref state. */
  notClosedRecords() {
    return this.records.filter((record) => livenessOrClosed(record.type, record.resource) !== 'closed')
  }

  release() {
    this.records = []
    this.listenerRecords = []
    this.maxListenersRecords = []
    this.reported.clear()
  }
}
