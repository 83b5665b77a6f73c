// leakwatch/vitest: `setupFiles: ['leakwatch/vitest']` checks every test after it ends; the test API, and the task meta
// leakwatch's reporter reads.
import type { LeakwatchFileMeta, LeakwatchTestMeta, TestApi } from '../index.js'

export type {
  FailureReason,
  FileHeapGrowth,
  HeapSample,
  Leak,
  LeakGroup,
  LeakwatchFileMeta,
  LeakwatchOptions,
  LeakwatchTaskMeta,
  LeakwatchTestMeta,
  ReferencePattern,
  ReportedLeaks,
  ResourceDelta,
  ResourceKind,
  TestApi,
} from '../index.js'
export { LeakError } from '../index.js'

// The test API, declared and documented once (TestApi, in ../index.d.ts).
export declare const configure: TestApi['configure']
export declare const expectNoLeaks: TestApi['expectNoLeaks']
export declare const watch: TestApi['watch']
export declare const allowLeaks: TestApi['allowLeaks']
export declare const resourceDelta: TestApi['resourceDelta']

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
