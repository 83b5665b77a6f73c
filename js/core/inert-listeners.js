// Listeners that are no leak wherever they were added: they cannot fire any more, or Node keeps them on its own.

import net from 'node:net'
import { Stream } from 'node:stream'
import { LISTENER_TYPE } from './kinds.js'
import { listenerAddedByNode } from './made-by.js'

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
export function isInertListener(record) {
  if (record.type !== LISTENER_TYPE || record.isEventTarget) return false
  const emitter = record.emitter
  if (emitter === undefined || isFinished(emitter)) return true
  return isManagedByNode(emitter) && listenerAddedByNode(record.stack)
}
