import type { FailureReason, LeakwatchOptions, LeakwatchTaskMeta, ReportedLeaks, ResourceDelta } from '../index.js'

export type {
  FailureReason,
  Leak,
  LeakGroup,
  LeakwatchOptions,
  LeakwatchTaskMeta,
  ReferencePattern,
  ReportedLeaks,
  ResourceDelta,
  ResourceKind,
} from '../index.js'
export { LeakError } from '../index.js'

/** Sets options for this worker. Unknown keys and wrong types throw a TypeError naming the key. */
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
 * Opts the current test out of the leak check; called outside a test, the whole file.
 * Throws while tests run concurrently (it cannot tell which of them called it).
 */
export declare function allowLeaks(): void

/**
 * Counts by kind of what the current test created and of what is still open now, the listeners it left attached,
 * and how much the heap and native memory grew since it began (as they are: no GC is forced).
 * Throws while tests run concurrently (it cannot tell which of them called it).
 */
export declare function resourceDelta(): ResourceDelta & { heapBytes: number; nativeBytes: number }

/** A test's figures on `task.meta.leakwatch`, as leakwatch's reporter reads them. */
export interface LeakwatchTestMeta extends LeakwatchTaskMeta {
  /**
   * The test's leaks failed it (`onLeak: 'fail'`). vitest cannot fail a `test.fails` test, or one that called
   * `ctx.skip()`, by an error at its end: their LeakError fails the file instead (its message names the test).
   */
  failedByLeaks: boolean
  /** Why: its leaks when it ended, a LeakError of `expectNoLeaks()` or `assertCleanShutdown()` that failed it. */
  failureReasons: FailureReason[]
  /** The test leaked in warn-only mode (`onLeak: 'warn'`): reported, and passed. */
  warned: boolean
}

/** A sample of heap after GC: the test's ordinal among those checked in the file, and the heap. */
export interface HeapSample {
  testIndex: number
  heapBytes: number
}

/** A file's heap growth: heap after GC against test order, fitted and judged. */
export interface FileHeapGrowth {
  /** Least-squares slope of heap after GC on test order, bytes per test. */
  slopeBytesPerTest: number
  r2: number
  samples: number
  /** Last sample minus first, bytes. */
  grownBytes: number
  points: HeapSample[]
  /** Over `maxHeapGrowthPerTest` or `maxHeapGrowthPerFile`: the file failed, this says why. */
  error: string | null
  /** No limit set, and the heap grows steadily: the warning printed. */
  warning: string | null
}

/** A file's figures on the file task's `meta.leakwatchFile`, as leakwatch's reporter reads them. */
export interface LeakwatchFileMeta extends ReportedLeaks {
  /** (`leaks`:) leaks of the file's own scope: module level, beforeAll, closed servers kept reachable. */
  warnings: string[]
  /** Null with `heap: 'off'` or when the file was not checked. */
  heap: FileHeapGrowth | null
  /** The file was not checked: `allowLeaks()` at module level, or `enabled: false`. */
  allowed: boolean
  /** The file failed for its own leaks, its heap growth, or the leaks of tests vitest could not fail. */
  failedByLeaks: boolean
  failureReasons: FailureReason[]
  warned: boolean
  /** The options in force when the file ended. */
  options: Pick<Required<LeakwatchOptions>, 'heap' | 'maxHeapGrowthPerTest' | 'maxHeapGrowthPerFile' | 'onLeak'>
  /** vitest's worker slot (`VITEST_POOL_ID`), or null. */
  workerId: number | null
}

declare module 'vitest' {
  interface TaskMeta {
    /** On a test's task: what leakwatch found when it ended. */
    leakwatch?: LeakwatchTestMeta
    /** On a file's task: what leakwatch found when the file ended. */
    leakwatchFile?: LeakwatchFileMeta
  }
  // No type parameters: a merging declaration may leave out defaulted ones, and vitest 4's (`Matchers<T = any>`) and
  // vitest 5's (`Matchers<R, T>`) differ, so naming any would break one of them (TS2428).
  interface Matchers {
    /** The object must be garbage when the test ends (checked then: `expect(obj)` holds it until the matcher returns). */
    toBeCollected(label?: string): void
  }
}
