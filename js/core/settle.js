// The settle window: pending closes get a bounded time to land before anything is called a leak.
//
// A socket's `close` arrives ticks after `end()`, a server's handle closes a loop turn after `close()`. When
// nothing is open, this returns at once: a clean test waits not at all. Otherwise it waits two `setImmediate`
// turns (closes land in the close-callbacks phase), then backs off 1, 2, 4, ... ms up to the window, like goleak.
// On the real timers and clock: a test may end with fake ones on.

import { realNow, realSetImmediate, realSetTimeout } from './real-timers.js'

const FIRST_BACKOFF_MS = 1
/** A long wait still looks often: what it waits for is taken as soon as it lands. */
const MAX_BACKOFF_MS = 64

/**
 * How long something on its way (`isPending`) is waited for, at least. A host lookup under a loaded machine (a CI
 * runner, two workers on two cores) takes far longer than a close: cut off at the settle window, the un-awaited
 * listen would be missed. Only a test with something pending waits this long, never a clean one.
 */
export const PENDING_WINDOW_MS = 2000

/**
 * One turn of the event loop (a `setImmediate`), its timer made outside every scope.
 * @param {(fn: () => void) => void} untracked
 */
export function nextTurn(untracked) {
  return new Promise((resolve) => untracked(() => realSetImmediate(resolve)))
}

/**
 * @param {() => Array} findOpen lists what is still open
 * @param {number} windowMs the longest wait
 * @param {(fn: () => void) => void} untracked runs leakwatch's own timer creation outside every scope
 * @param {() => boolean} [isPending] something is on its way (a server's handle after a lookup): worth waiting for
 *   even when nothing is open yet, and for up to PENDING_WINDOW_MS
 * @param {(open: Array) => Promise<boolean>} [allAccepted] everything in `open` is accepted whether it closes or
 *   not (the runner's own stream listener, a library's by-design handler, the user's ignore rules): asked once the
 *   first two turns are over, so that waiting on for those alone, a full window per test, is spared
 * @returns {Promise<Array>} what is still open when the window closes, or nothing
 */
export async function settleOpenResources(
  findOpen,
  windowMs,
  untracked,
  isPending = () => false,
  allAccepted = async () => false,
) {
  let open = findOpen()
  if ((open.length === 0 && !isPending()) || windowMs === 0) return open
  const started = realNow()
  const deadline = started + windowMs
  const pendingDeadline = started + Math.max(windowMs, PENDING_WINDOW_MS)
  await nextTurn(untracked)
  await nextTurn(untracked)
  open = findOpen()
  const unsettled = async () => isPending() || (open.length > 0 && !(await allAccepted(open)))
  let backoffMs = FIRST_BACKOFF_MS
  while (await unsettled()) {
    const remainingMs = (isPending() ? pendingDeadline : deadline) - realNow()
    if (remainingMs <= 0) break
    const delayMs = Math.min(backoffMs, remainingMs, MAX_BACKOFF_MS)
    await new Promise((resolve) => untracked(() => realSetTimeout(resolve, delayMs)))
    backoffMs *= 2
    open = findOpen()
  }
  return open
}
