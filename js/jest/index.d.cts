// Types of leakwatch/jest (a CommonJS module: see index.cjs). Its export is the function jest runs as a
// setupFilesAfterEnv entry, carrying the API a test file imports.

import type * as leakwatch from '../index.js'

/** Run by jest for each test file (list 'leakwatch/jest' in setupFilesAfterEnv); not called by hand. */
declare function setUpLeakwatch(): Promise<void>

declare namespace setUpLeakwatch {
  export type Leak = leakwatch.Leak
  export type LeakwatchOptions = leakwatch.LeakwatchOptions
  export type ReferencePattern = leakwatch.ReferencePattern
  export type ResourceDelta = leakwatch.ResourceDelta
  export type ResourceKind = leakwatch.ResourceKind
  export type ShutdownAuditOptions = leakwatch.ShutdownAuditOptions
  export type ShutdownSummary = leakwatch.ShutdownSummary
  export type TestApi = leakwatch.TestApi

  // The test API, declared and documented once (TestApi, in ../index.d.ts).
  export const configure: TestApi['configure']
  export const expectNoLeaks: TestApi['expectNoLeaks']
  export const watch: TestApi['watch']
  export const allowLeaks: TestApi['allowLeaks']
  export const resourceDelta: TestApi['resourceDelta']

  /**
   * The shutdown audit (see the main entry's), on what the current test opened (in a file-level hook, the file). Take
   * it from here under jest: "leakwatch" itself would be a second tracker, which saw nothing.
   */
  export const assertCleanShutdown: typeof leakwatch.assertCleanShutdown

  /**
   * The error a leaking test fails with (see the main entry's). Outside jest (a plain `node` import of this module) it
   * is undefined: the class is loaded when jest sets up the first test file.
   */
  export const LeakError: typeof leakwatch.LeakError
  export type LeakError = leakwatch.LeakError
}

export = setUpLeakwatch

declare module 'expect' {
  interface Matchers<R extends void | Promise<void>, T = unknown> {
    /** The object must be garbage when the test ends (checked then: `expect(obj)` holds it until the matcher returns). */
    toBeCollected(label?: string): R
  }
}
