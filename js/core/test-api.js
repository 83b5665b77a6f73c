// The functions a test file imports from its runner's entry (leakwatch/vitest, leakwatch/jest, leakwatch/node-test),
// bound once here: each adapter passes only how it finds the test file that runs. Their types and documentation are
// `TestApi` in js/index.d.ts. `configure` stays with each adapter, which knows what its runner needs set besides.

/**
 * The test API, bound to the running test file's session.
 * @param {(api: string) => import('./test-file-session.js').TestFileSession} currentSession the session of the test
 *   file that runs; throws when there is none, saying why and naming `api`, the function called (`'watch()'`)
 * @returns {Pick<import('../index.js').TestApi, 'expectNoLeaks' | 'watch' | 'allowLeaks' | 'resourceDelta'>}
 */
export function bindTestApi(currentSession) {
  // An async function: with no session to check in, the promise it returns rejects, as its type says.
  async function expectNoLeaks(fn) {
    return currentSession('expectNoLeaks()').expectNoLeaks(fn)
  }

  /**
   * `skipAbove`: the function the user called, left out of the watch's stack; an entry that forwards to this one (jest's,
   * from the test file's realm) passes its own.
   */
  function watch(target, label, skipAbove = watch) {
    return currentSession('watch()').watch(target, label, skipAbove)
  }

  function allowLeaks() {
    currentSession('allowLeaks()').allowLeaks()
  }

  function resourceDelta() {
    return currentSession('resourceDelta()').resourceDelta()
  }

  return { expectNoLeaks, watch, allowLeaks, resourceDelta }
}
