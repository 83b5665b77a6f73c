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

  /**
   * Sets options for the current test file (each file starts from the defaults). Unknown keys and wrong types throw a
   * TypeError naming the key.
   */
  export function configure(options: LeakwatchOptions): void

  /**
   * With a function: runs it, then throws a `LeakError` if it left resources open. Without: checks what the current
   * test created so far. Resources reported here are not reported again at the end of the test.
   * Without a function, it throws while tests run concurrently (it cannot tell which of them called it).
   */
  export function expectNoLeaks(fn?: () => unknown): Promise<void>

  /**
   * Watches an object that must be garbage when the current test ends (outside a test: when the file ends); still
   * reachable after GC, it fails the test. Never keeps the object alive. Returns the object.
   * Throws while tests run concurrently (it cannot tell which of them called it).
   */
  export function watch<T extends object>(target: T, label?: string): T

  /**
   * Opts the current test out of the leak check; called outside a test, the whole file.
   * Throws while tests run concurrently (it cannot tell which of them called it).
   */
  export function allowLeaks(): void

  /**
   * Counts by kind of what the current test created and of what is still open now, the listeners it left attached,
   * and how much the heap and native memory grew since it began (as they are: no GC is forced).
   * Throws while tests run concurrently (it cannot tell which of them called it).
   */
  export function resourceDelta(): ResourceDelta & { heapBytes: number; nativeBytes: number }

  /**
   * Runs `fn` (the service's own stop), lets pending closes land, and rejects with a `LeakError` when anything the
   * current test opened (in a file-level hook, the file) is still open; resolves with a summary when nothing is. What
   * it reports is not reported again when the test ends. Take it from here under jest: "leakwatch" itself would be a
   * second tracker, which saw nothing.
   */
  export function assertCleanShutdown(fn: () => unknown, options?: ShutdownAuditOptions): Promise<ShutdownSummary>

  /**
   * The error a leaking test fails with; its message is the report. Outside jest (a plain `node` import of this
   * module) it is undefined: the class is loaded when jest sets up the first test file.
   */
  export class LeakError extends Error {
    name: 'LeakError'
    leaks: Leak[]
    constructor(message: string, leaks: Leak[])
    /** Name, message and stack only: what runners send from their workers, without the leaks. */
    toJSON(): { name: string; message: string; stack: string }
  }
}

export = setUpLeakwatch

declare module 'expect' {
  interface Matchers<R extends void | Promise<void>, T = unknown> {
    /** The object must be garbage when the test ends (checked then: `expect(obj)` holds it until the matcher returns). */
    toBeCollected(label?: string): R
  }
}
