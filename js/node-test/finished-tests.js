// node:test keeps every test, describe and hook of a file until its process ends, and each its function: a
// `t.after(() => app.close())` closure, or a subtest's, holds the test's variables, so every app a file's tests closed
// is still reachable at the file's end. Those references are node:test's bookkeeping (ignored-references.js: the `fn`
// of `Test`, `Suite` and `TestHook`), which the retainer-path search skips; but telling them from the program's takes a
// heap snapshot, seconds per file.
//
// When the file's check starts, every test is over and none of those functions runs again: dropping them before the
// file's GC lets what only they held be collected. An object still alive after that is held by something else, and the
// snapshot still decides as before; an object collected now would have had no path in it (the references dropped are
// among those it skips). So the outcome is the same, and the snapshot is taken only when the program holds something.

/** What a finished test's and hook's function becomes. */
function released() {}

const HOOK_KINDS = ['before', 'after', 'beforeEach', 'afterEach']

function hooksOf(test) {
  const hooks = test?.hooks
  if (hooks === null || typeof hooks !== 'object') return []
  return HOOK_KINDS.flatMap((kind) => (Array.isArray(hooks[kind]) ? hooks[kind] : []))
}

/**
 * Drops the functions of the finished tests under node:test's root test, with their hooks'. The root's own hooks are
 * left as they are (module-level code holds what they capture anyway, and the hook running this is one of them).
 * Shapes node:test does not have (another Node line's internals) are left alone: the snapshot then decides, as before.
 * @param {object | undefined} hook the root `after` hook running now (`executionAsyncResource()` inside it)
 * @returns {number} how many functions were dropped
 */
export function releaseFinishedTests(hook) {
  let root = hook?.parentTest
  if (root === null || typeof root !== 'object') return 0
  while (root.parent != null) root = root.parent
  const rootHooks = new Set(hooksOf(root))
  let dropped = 0
  const drop = (holder) => {
    if (typeof holder.fn !== 'function' || holder.fn === released) return
    holder.fn = released
    dropped++
  }
  const pending = Array.isArray(root.subtests) ? [...root.subtests] : []
  while (pending.length > 0) {
    const test = pending.pop()
    // A test still running (one that outlived its timeout) may yet call its hooks.
    if (test === null || typeof test !== 'object' || test.finished !== true) continue
    drop(test)
    for (const testHook of hooksOf(test)) if (!rootHooks.has(testHook)) drop(testHook)
    if (Array.isArray(test.subtests)) pending.push(...test.subtests)
  }
  return dropped
}
