// What a test file's checks reported, held weakly until the file ends, then unref'd. A runner that waits for the
// process to go idle before it exits (node:test for each file's process; jest, in band, for its own) would otherwise
// wait for ever on a leaked server or interval: the run must end and show its failures. What leakwatch reported is
// unref'd, never closed: the leak is still the user's to fix.

import { livenessOrClosed, ownerOf } from './liveness.js'

export class ReportedResources {
  /** @type {Array<{ type: string, resource: WeakRef<object> }>} */
  #entries = []

  /**
   * Remembers what `scope` reported. Given to TestFileSession as `beforeRelease`, which calls it for each test's scope
   * and for the file's, before they drop their records.
   * @param {import('./leak-scope.js').LeakScope} scope
   */
  remember(scope) {
    for (const record of scope.reported) {
      if (record.resource) this.#entries.push({ type: record.type, resource: new WeakRef(record.resource) })
    }
  }

  /** Unrefs what was reported and is still open (a server through its JS owner, a timer itself); forgets them all. */
  unrefAll() {
    for (const entry of this.#entries) {
      const resource = entry.resource.deref()
      if (resource === undefined || livenessOrClosed(entry.type, resource) === 'closed') continue
      try {
        const owner = ownerOf(resource)
        if (typeof owner?.unref === 'function') owner.unref()
        else resource.unref?.()
      } catch {
        // Half torn down: nothing to hold the process open.
      }
    }
    this.#entries = []
  }
}
