// vitest's own timers: it keeps the timer functions it found when its worker started (its "safe timers", under a
// symbol on globalThis, so that a test's fake timers cannot stop it) and reads them when it wraps a test in its
// timeout, and in vi.waitFor() and expect.poll(). What it makes with them is the runner's, never a test's leak: made
// through a wrapper, it is not recorded, and no creation stack is taken for it (one per test otherwise).

const SAFE_TIMERS = 'vitest:SAFE_TIMERS'
const WRAPPED = Symbol('leakwatch.runnerTimer')

/**
 * Makes vitest's safe setTimeout and setInterval run untracked. A vitest that keeps its timers elsewhere is left as
 * it is: its timers are then recorded, and told apart as the runner's when a check finds one open.
 * @param {(fn: () => unknown) => unknown} untracked runs `fn` with no scope recording what it makes
 */
export function untrackRunnerTimers(untracked) {
  const symbol = Object.getOwnPropertySymbols(globalThis).find((key) => key.description === SAFE_TIMERS)
  const timers = symbol === undefined ? undefined : globalThis[symbol]
  if (timers === null || typeof timers !== 'object') return
  for (const name of ['setTimeout', 'setInterval']) {
    const original = timers[name]
    if (typeof original !== 'function' || original[WRAPPED] === true) continue
    const wrapper = {
      [name](...args) {
        return untracked(() => original.apply(this, args))
      },
    }[name]
    wrapper[WRAPPED] = true
    timers[name] = wrapper
  }
}
