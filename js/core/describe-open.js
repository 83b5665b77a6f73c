// What JS knows of each open resource and attached listener, for the native side to describe and locate.

import { stackText } from './creation-stack.js'
import { hopsBack } from './deferrals.js'
import { kindOf, LISTENER_TYPE, SERVER_TYPES } from './kinds.js'
import { describeEmitter } from './listener-tracker.js'
import { detailsOf, ownerOf } from './liveness.js'

/** The note on a leak an earlier attempt of the test made (see TestFileSession: a retry reports it again). */
const EARLIER_ATTEMPT_NOTE =
  'left open by an earlier attempt of this test (retry): the retry cannot pass while it is open'

function isMock(fn) {
  return typeof fn === 'function' && (fn._isMockFunction === true || (typeof fn.mock === 'object' && fn.mock !== null))
}

/**
 * @param {import('./leak-scope.js').LeakScope} scope
 * @param {import('./open-entries.js').OpenEntry[]} open
 * @param {WeakMap<object, { stack: string }>} listenStacks the stacks of `listen()` calls, by server
 * @returns {object[]} `OpenResource`s (src/leak_report.rs)
 */
export function describeOpen(scope, open, listenStacks) {
  // A child's stdio pipes close with the child: the child is the leak, its pipes are not three more.
  const childStdio = new Set()
  for (const { record } of open) {
    if (record.type === 'PROCESSWRAP')
      for (const stream of ownerOf(record.resource)?.stdio ?? []) childStdio.add(stream)
  }
  const described = []
  for (const { record, liveness } of open) {
    if (record.type === LISTENER_TYPE) {
      const { asyncId, type, stack, emitter, event } = record
      const callbackHops = hopsBack(record.stackHolder)
      described.push(
        withAttemptNote(record, {
          type,
          asyncId,
          stack,
          callbackHops,
          hasRef: true,
          emitter: describeEmitter(emitter),
          event: String(event),
        }),
      )
      continue
    }
    const owner = ownerOf(record.resource)
    if (record.type === 'PIPEWRAP' && childStdio.has(owner)) continue
    const details = detailsOf(record.type, record.resource)
    const resource = {
      type: record.type,
      asyncId: record.asyncId,
      stack: record.stack,
      hasRef: liveness === 'ref',
      ...details,
    }
    Object.assign(resource, causeOf(scope, record, owner, listenStacks))
    if (SERVER_TYPES.has(record.type) && isMock(owner?.close)) {
      resource.note = 'its close() is a mock (vi.fn / vi.spyOn): calling it closes nothing'
    }
    described.push(withAttemptNote(record, resource))
  }
  return described
}

/** Notes on the leak that an earlier attempt of the test made it (see TestFileSession's retry carry-over). */
function withAttemptNote(record, leak) {
  if (record.fromEarlierAttempt) leak.note = leak.note ? `${leak.note}; ${EARLIER_ATTEMPT_NOTE}` : EARLIER_ATTEMPT_NOTE
  return leak
}

/**
 * Where to look when the creation stack has no user frame: the listen() call, the server that accepted the
 * connection, and the callbacks it was made in, hop after hop (see deferrals.js).
 */
function causeOf(scope, record, owner, listenStacks) {
  if (SERVER_TYPES.has(record.type)) {
    const listenStack = owner && listenStacks.get(owner)
    if (!listenStack) return { callbackHops: hopsBack(record.stackHolder) }
    return { causeStack: stackText(listenStack), callbackHops: hopsBack(listenStack) }
  }
  const trigger = scope.recordByAsyncId(record.triggerAsyncId)
  if (trigger && SERVER_TYPES.has(trigger.type)) {
    const triggerOwner = ownerOf(trigger.resource)
    const listenStack = triggerOwner && listenStacks.get(triggerOwner)
    const causeLabel = `a connection accepted by the ${kindOf(trigger.type, trigger.resource)} created there`
    return { causeStack: listenStack ? stackText(listenStack) : trigger.stack, causeLabel }
  }
  return { callbackHops: hopsBack(record.stackHolder) }
}
