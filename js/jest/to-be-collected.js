// expect(obj).toBeCollected(): watch() as a jest matcher. It passes when called; the check happens when the test
// ends (`expect(obj)` holds the object until the matcher returns), and an object still reachable fails the test then.

/**
 * The matcher, for `expect.extend`.
 * @param {() => import('../core/test-file-session.js').TestFileSession} currentSession the file running now
 */
export function toBeCollectedMatcher(currentSession) {
  return function toBeCollected(received, label) {
    if (this.isNot) {
      throw new TypeError(
        'leakwatch: .not.toBeCollected() is not supported: an object that must stay alive needs no check',
      )
    }
    currentSession().watch(received, label, toBeCollected)
    return {
      pass: true,
      message: () => `expected ${this.utils.printReceived(received)} to be collected when the test ends`,
    }
  }
}
