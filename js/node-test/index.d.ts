// leakwatch/node-test: `import 'leakwatch/node-test'` at the top of a test file, or `node --import
// leakwatch/node-test --test`, checks every test of the file after it ends (after its afterEach and t.after hooks).
import type { LeakwatchOptions, ResourceDelta } from '../index.js'

export type { Leak, LeakwatchOptions, ReferencePattern, ResourceDelta, ResourceKind } from '../index.js'
export { LeakError } from '../index.js'

/** Sets options for this test file's process. Unknown keys and wrong types throw a TypeError naming the key. */
export declare function configure(options: LeakwatchOptions): void

/**
 * With a function: runs it, then throws a `LeakError` if it left resources open. Without: checks what the current
 * test created so far. Resources reported here are not reported again at the end of the test.
 * Without a function, it throws while tests run concurrently (it cannot tell which of them called it).
 */
export declare function expectNoLeaks(fn?: () => unknown): Promise<void>

/**
 * Watches an object that must be garbage when the current test ends (outside a test: when the file ends); still
 * reachable after GC, it fails the test. Never keeps the object alive. Returns the object.
 * Throws while tests run concurrently (it cannot tell which of them called it).
 */
export declare function watch<T extends object>(target: T, label?: string): T

/**
 * Opts the current test out of the leak check; called outside a test (module level, before()), the whole file.
 * Throws while tests run concurrently (it cannot tell which of them called it).
 */
export declare function allowLeaks(): void

/**
 * Counts by kind of what the current test created and of what is still open now, the listeners it left attached,
 * and how much the heap and native memory grew since it began (as they are: no GC is forced).
 * Throws while tests run concurrently (it cannot tell which of them called it).
 */
export declare function resourceDelta(): ResourceDelta & { heapBytes: number; nativeBytes: number }
