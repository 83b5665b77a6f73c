// What a scope left open that is its own: its resources still open and its listeners still attached, less what the
// options leave out, what the test runner made, the unref'd timers Node made for itself, listeners that cannot fire
// any more or that Node keeps on its own pooled sockets, and the connections a longer-lived server accepted.

import net from 'node:net'
import { Stream } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { CONNECTION_TYPES, kindOf, LISTENER_TYPE, SERVER_TYPES } from './kinds.js'
import { ownerOf } from './liveness.js'

/** leakwatch's own JS: never a creation site. */
export const OWN_DIR = fileURLToPath(new URL('..', import.meta.url))

const FRAME_PREFIX = /^\s+at (?:async )?/

/**
 * The location of a V8 stack frame line: `at f (location)` or `at location`. The location is the last parenthesised
 * group, matched from the end: a path may hold parentheses (`pa(ren).test.js`), and so may a function's name.
 */
export function frameLocation(line) {
  const prefix = FRAME_PREFIX.exec(line)
  if (prefix === null) return undefined
  const text = line.slice(prefix[0].length).trimEnd()
  if (!text.endsWith(')')) return text
  let depth = 0
  for (let index = text.length - 1; index >= 0; index--) {
    if (text[index] === ')') depth++
    else if (text[index] === '(' && --depth === 0) return text.slice(index + 1, -1)
  }
  return text
}

/**
 * The test runner made it (a hook's timeout timer, a listener of its own): its first frame outside Node is the
 * runner's and no frame is in user code. Such a resource is never a test's leak.
 */
export function madeByRunner(stack, runnerDirs) {
  let framesOutsideNode = 0
  for (const line of stack.split('\n')) {
    const location = frameLocation(line)
    // Node's own frames (`node:`), native and anonymous ones say nothing about who made it.
    if (location === undefined || !location.includes('/')) continue
    if (location.startsWith('node:')) {
      // Except node:test's, which is part of Node: one of its frames above every user frame means node:test made it,
      // when the user called its API too (`t.test()` listens on the parent test's signal).
      if (runnerDirs.some((dir) => location.startsWith(dir))) return true
      continue
    }
    const isRunner = runnerDirs.some((dir) => location.includes(dir))
    if (framesOutsideNode === 0 && !isRunner) return false
    const isUser = !isRunner && !location.includes('/node_modules/') && !location.includes(OWN_DIR)
    if (isUser) return false
    framesOutsideNode++
  }
  return framesOutsideNode > 0
}

/** Node's timer functions and the async hook's frames: what lies on a timer's creation stack above its caller. */
const TIMER_INTERNALS = /^node:(?:internal\/)?(?:timers|async_hooks)(?:\/promises)?:/
const TIMER_TYPES = new Set(['Timeout', 'Immediate'])
/** Node's add methods themselves (EventEmitter's, Readable's): what lies on a listener's stack above whoever added it. */
const LISTENER_ADD_INTERNALS = /^node:(?:events|internal\/streams\/(?:readable|duplex|legacy)):/

/** The first frame below Node's own API functions (`apiFrames`) is Node's code: Node asked for it, whoever called in. */
function requestedByNode(stack, apiFrames) {
  for (const line of stack.split('\n')) {
    const location = frameLocation(line)
    if (location === undefined || location === 'native' || location === '<anonymous>' || apiFrames.test(location))
      continue
    return location.startsWith('node:')
  }
  return false
}

/**
 * Node asked for the timer itself (the HTTP server's Date header cache, undici's connection timers under fetch,
 * AbortSignal.timeout()). A timer that the test or a library asked for has its own frame below Node's timer functions.
 */
export function timerMadeByNode(stack) {
  return requestedByNode(stack, TIMER_INTERNALS)
}

/**
 * Node's own code added the listener (the HTTP agent's free-socket listener, `tickOnSocket` on a reused socket, an
 * HTTP/2 session's close on its socket, the web streams adapter's end-of-stream). A listener the test or a library
 * added has its own frame below Node's add methods.
 */
function listenerAddedByNode(stack) {
  return requestedByNode(stack, LISTENER_ADD_INTERNALS)
}

/** A stream, socket or session that is over: it emits nothing any more, so no listener on it can fire or pile up. */
export function isFinished(emitter) {
  try {
    return emitter.destroyed === true || emitter.closed === true
  } catch {
    return false
  }
}

/**
 * What Node manages by itself: a socket (the HTTP client and agent add and remove their listeners on it as requests
 * come and go, on a socket an earlier test or a pool made), or a stream on its way out (ended on either side: an
 * HTTP/2 session's socket while the session closes, a file stream read to its end).
 */
function isManagedByNode(emitter) {
  try {
    if (!(emitter instanceof Stream)) return false
    return emitter instanceof net.Socket || emitter.writableEnded === true || emitter.readableEnded === true
  } catch {
    return false
  }
}

/**
 * A listener that is not a leak wherever it was added: one on an emitter that is finished (a destroyed socket, a
 * closed HTTP/2 session, a ReadStream read to its end), or one Node's own code added to a socket or an ending stream.
 * Such an emitter, if it is left open, is reported as the resource it is, by the test that made it.
 */
function isInertListener(record) {
  if (record.type !== LISTENER_TYPE || record.isEventTarget) return false
  const emitter = record.emitter
  if (emitter === undefined || isFinished(emitter)) return true
  return isManagedByNode(emitter) && listenerAddedByNode(record.stack)
}

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
