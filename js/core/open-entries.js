// What a scope left open that is its own: its resources still open and its listeners still attached, less what the
// options leave out, what the test runner made, the unref'd timers Node made for itself, listeners that cannot fire
// any more or that Node keeps on its own pooled sockets, and the connections a longer-lived server accepted.

import { isInertListener } from './inert-listeners.js'
import { CONNECTION_TYPES, kindOf, SERVER_TYPES } from './kinds.js'
import { ownerOf } from './liveness.js'
import { madeByRunner, timerMadeByNode } from './made-by.js'

const TIMER_TYPES = new Set(['Timeout', 'Immediate'])

/**
 * @typedef {{ record: import('./leak-scope.js').ResourceRecord | import('./listener-tracker.js').ListenerRecord,
 *   liveness: 'ref' | 'unref' | 'attached' }} OpenEntry
 */

/**
 * @param {import('./leak-scope.js').LeakScope} scope
 * @param {{ includeUnref: boolean, includeReported?: boolean, kinds: string[] | null, runnerDirs: string[],
 *   bornInScope: (emitter: object, scope: import('./leak-scope.js').LeakScope) => boolean }} filter
 * @returns {OpenEntry[]}
 */
export function findOpen(scope, { includeUnref, includeReported = false, kinds, runnerDirs, bornInScope }) {
  let open = scope.openRecords({ includeUnref, includeReported })
  for (const record of scope.attachedListeners({ includeReported, bornInScope }))
    open.push({ record, liveness: 'attached' })
  if (open.length === 0) return open
  if (kinds !== null) open = open.filter(({ record }) => kinds.includes(kindOf(record.type, record.resource)))
  // Asked once per record, and only of records found open: the stack is formatted here.
  for (const { record } of open) record.runnerMade ??= madeByRunner(record.stack, runnerDirs)
  // Node's own unref'd timers are housekeeping that does not keep the process alive: reportUnref is for the test's.
  open = open.filter(({ record, liveness }) => {
    if (record.runnerMade || isInertListener(record)) return false
    return liveness !== 'unref' || !TIMER_TYPES.has(record.type) || !timerMadeByNode(record.stack)
  })
  if (!open.some(({ record }) => CONNECTION_TYPES.has(record.type))) return open
  // A connection a server accepted belongs to the server: when the server outlives the scope (a shared server from
  // beforeAll, with keep-alive clients), closing it is the server's job.
  const scopeServers = new Set()
  for (const record of scope.records) if (SERVER_TYPES.has(record.type)) scopeServers.add(ownerOf(record.resource))
  return open.filter(({ record }) => {
    if (!CONNECTION_TYPES.has(record.type)) return true
    const server = ownerOf(record.resource)?.server
    return !server || scopeServers.has(server)
  })
}
