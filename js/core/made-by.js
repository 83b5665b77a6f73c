// Who made a resource or added a listener, read from its creation stack: the test runner (never a test's leak), or
// Node for itself (its housekeeping timers, its own listeners on sockets), whoever called in.

import { frameOrigin, parseFrame } from './stack-frames.js'

/**
 * The test runner made it (a hook's timeout timer, a listener of its own): its first frame outside Node is the
 * runner's and no frame is in user code. Such a resource is never a test's leak.
 * @param {string} stack
 * @param {string[]} runnerDirs
 */
export function madeByRunner(stack, runnerDirs) {
  let framesOutsideNode = 0
  for (const line of stack.split('\n')) {
    const frame = parseFrame(line)
    if (frame === undefined) continue
    const origin = frameOrigin(frame.file, runnerDirs)
    if (origin === 'node') {
      // Except node:test's, which is part of Node: one of its frames above every user frame means node:test made it,
      // when the user called its API too (`t.test()` listens on the parent test's signal).
      if (frame.file.startsWith('node:') && runnerDirs.some((dir) => frame.file.startsWith(dir))) return true
      continue
    }
    if (origin === 'user' || (framesOutsideNode === 0 && origin !== 'runner')) return false
    framesOutsideNode++
  }
  return framesOutsideNode > 0
}

/** Node's timer functions and the async hook's frames: what lies on a timer's creation stack above its caller. */
const TIMER_INTERNALS = /^node:(?:internal\/)?(?:timers|async_hooks)(?:\/promises)?$/
/** Node's add methods themselves (EventEmitter's, Readable's): what lies on a listener's stack above whoever added it. */
const LISTENER_ADD_INTERNALS = /^node:(?:events|internal\/streams\/(?:readable|duplex|legacy))$/

/** The first frame below Node's own API functions (`apiFrames`) is Node's code: Node asked for it, whoever called in. */
function requestedByNode(stack, apiFrames) {
  for (const line of stack.split('\n')) {
    const frame = parseFrame(line)
    if (frame === undefined || apiFrames.test(frame.file)) continue
    return frame.file.startsWith('node:')
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
export function listenerAddedByNode(stack) {
  return requestedByNode(stack, LISTENER_ADD_INTERNALS)
}
