// The timers and the clock leakwatch waits on, as they were when it loaded. A test that leaves fake timers on
// (vi.useFakeTimers(), jest.useFakeTimers(), sinon) replaces the globals: a wait on a fake timer never ends unless the
// test advances it, and a faked `performance.now()` stands still, so a settle window would never close. Every wait of
// leakwatch's goes through here. What a test fakes holds no handle, so nothing here changes what is reported.

export const { setTimeout: realSetTimeout, setImmediate: realSetImmediate, setInterval: realSetInterval } = globalThis

/** Milliseconds on the monotonic clock. Taken as a function: a fake clock may define its own `now` on the very object. */
export const realNow = performance.now.bind(performance)

const realNextTick = process.nextTick

/**
 * Runs `fn` with the real `process.nextTick` in place, when a test faked it: Node's streams schedule their work on
 * `process.nextTick`, read from `process` each time, so a stream leakwatch reads (the heap snapshot) would wait on
 * the fake for ever. The test's fake is put back when `fn` settles.
 * @template T
 * @param {() => Promise<T>} fn
 * @returns {Promise<T>}
 */
export async function withRealNextTick(fn) {
  const current = process.nextTick
  if (current === realNextTick) return fn()
  process.nextTick = realNextTick
  try {
    return await fn()
  } finally {
    process.nextTick = current
  }
}
