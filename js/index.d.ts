import type { ResourceKind } from './core/resource-kinds.js'

/** A kind of resource leakwatch reports, as reports and options name it (the one table: `src/resource_kind.rs`). */
export type { ResourceKind }

/** A resource left open is accepted when every field given matches. */
export interface IgnoreRule {
  /** The kind, or kinds, the rule applies to. */
  kind?: ResourceKind | ResourceKind[]
  /** Matched against the creation stack (every frame): a substring, or a RegExp. */
  createdBy?: string | RegExp
  /** Matched against the description, e.g. `TCP socket 127.0.0.1:5000 -> 127.0.0.1:6379`. */
  description?: string | RegExp
  /** For listeners: matched against the emitter in words, e.g. `process`, `Redis (127.0.0.1:6379)`. */
  emitter?: string | RegExp
  /** For listeners: matched against the event name, e.g. `SIGTERM`. */
  event?: string | RegExp
  /** Why the rule is there (documentation only: it matches nothing). */
  reason?: string
}

/**
 * A reference the retention checks do not follow (`watch()`, `toBeCollected()`, closed servers and sockets): an object
 * reachable only through such references is not retained by the program. leakwatch's own and each runner's
 * bookkeeping are built in (docs/memory.md: "References that are not the test's"). Names as retainer paths show them;
 * `*` stands for any run of characters.
 */
export interface ReferencePattern {
  /** The holder: a class name for an instance (`TestHook`), a function's name for a closure, `Context` for a scope. */
  holder: string
  /** The reference: a property or captured variable's name, an index, `context` for a closure's scope. */
  edge: string
  /** Another reference the holder has: tells a plain `Object` by its shape (jest-circus's test entries: `seenDone`). */
  holderHas?: string
}

/** A known leak, accepted until it is fixed. */
export interface BaselineEntry {
  kind?: ResourceKind
  /** The creation site as reports show it, `file:line` or `file:line:column`, relative to the root. */
  site?: string
  /** The test's full name, `describe > test`. */
  test?: string
}

export interface LeakwatchOptions {
  /** Check tests at all. Default `true`. */
  enabled?: boolean
  /** How long pending closes may take to land before a resource is a leak, in ms (0 to 60000). Default `100`. */
  settleMs?: number
  /** The kinds to report; `null` for all. Default `null`. */
  kinds?: ResourceKind[] | null
  /**
   * Heap figures: `'file'` samples the heap after V8's own major GCs (free) and judges each file's growth; `'test'`
   * forces a GC at the end of every test for exact per-test deltas; `'off'`. Default `'file'`.
   */
  heap?: 'off' | 'file' | 'test'
  /** Fail a file whose heap after GC grows by more than this many bytes per test (forces a GC per test). */
  maxHeapGrowthPerTest?: number | null
  /** Fail a file whose heap after GC grows by more than this many bytes over the file (forces a GC per test). */
  maxHeapGrowthPerFile?: number | null
  /** Report unref'd handles and timers too (they do not keep the process alive). Default `false`. */
  reportUnref?: boolean
  /** Track listeners added to emitters that outlive the test (patches EventEmitter and EventTarget). Default `true`. */
  listeners?: boolean
  /** Resources to accept. Default `[]`. */
  ignore?: IgnoreRule[]
  /** References that do not make an object retained, on top of the built-in ones. Default `[]`. */
  ignoreReferences?: ReferencePattern[]
  /** Known leaks to accept, or the path of a JSON file holding them. Default `[]`. */
  baseline?: BaselineEntry[] | string
  /** Fail the test, or only print the report. Default `'fail'`. */
  onLeak?: 'fail' | 'warn'
}

/** Where a leaked resource was created: the first frame in user code. */
export interface CreationSite {
  function: string | null
  /** Relative to the root when under it. */
  file: string
  absoluteFile: string
  line: number
  column: number
}

export interface StackFrame {
  function: string | null
  file: string
  line: number
  column: number
  isAsync: boolean
}

/** What tells a leaked resource apart from others of its kind, as its description says it. */
export interface LeakDetails {
  localAddress?: string
  peerAddress?: string
  pid?: number
  command?: string
  path?: string
  fd?: number
  delayMs?: number
  threadId?: number
  signal?: string
  /** A retained object in words. */
  object?: string
}

/** One leaked resource, as `LeakError.leaks` and `task.meta.leakwatch.leaks` hold it. */
export interface Leak {
  asyncId: number
  kind: ResourceKind
  /** The async_hooks type, e.g. `TCPSERVERWRAP`. */
  type: string
  description: string
  /** The values the description is made of (each only when known for its kind). */
  details: LeakDetails
  /** It keeps the process alive. */
  hasRef: boolean
  site: CreationSite | null
  /** User frames below the site, innermost first. */
  userFrames: StackFrame[]
  /** The top of the stack when no frame is in user code. */
  topFrames: StackFrame[]
  /**
   * Why the site is not on the resource's own stack: a connection accepted by a server, or the callbacks a library
   * made it in (`made by ioredis in a process.nextTick callback scheduled there`).
   */
  cause: string | null
  note: string | null
  /** For a listener: its emitter in words. */
  emitter: string | null
  /** For a listener: its event. */
  event: string | null
}

/** Counts by kind. */
export type KindCounts = Partial<Record<ResourceKind, number>>

export interface ResourceDelta {
  /** What the test created, the test runner's own timers included. */
  created: KindCounts
  /** What is open now (ref'd; with `reportUnref`, unref'd too); `Listener`: the listeners still attached. */
  handles: KindCounts
  /** The listeners still attached, by emitter and event: `{ 'process "SIGTERM"': 1 }`. */
  listeners: Record<string, number>
}

/** Heap figures at the end of a test. */
export interface HeapFigures {
  /** V8's used heap, bytes. */
  heapBytes: number
  /** Native memory held by JS objects (external + ArrayBuffers), bytes. */
  nativeBytes: number
  /** The figures are after a forced GC (mode `'test'`, or a growth limit set). */
  afterGc: boolean
  /** Heap after GC minus the previous test's, when both were forced. */
  heapDeltaBytes: number | null
}

/** Leaks made at one place (their kind and creation site, a listener's event), as the reports group them. */
export interface LeakGroup {
  count: number
  /** Its leaks in words, as one: a value that differs among them as a range (`Interval every 60000–61999 ms`). */
  description: string
  /** Its first leak: an index into the scope's `leaks`. */
  leak: number
}

/**
 * A test's (or file's) leaks as leakwatch's reports keep them: every record up to a limit (docs/reports.md), past it
 * a record of each creation site first; the counts cover every leak.
 */
export interface ReportedLeaks {
  leaks: Leak[]
  /** Every leak, also those past the records kept. */
  leakCount: number
  leaksByKind: KindCounts
  /** By creation site, in the order found, up to the same limit. */
  leakGroups: LeakGroup[]
  /** Every creation site. */
  leakGroupCount: number
}

/**
 * Why leakwatch failed a test or file: what it left open when it ended (`leaks`), a LeakError thrown by
 * `expectNoLeaks()` or `assertCleanShutdown()`, the file's heap growth over a limit, or the leaks of its tests that
 * the runner could not fail (`test.fails`, `ctx.skip()`).
 */
export type FailureReason = 'leaks' | 'expectNoLeaks' | 'assertCleanShutdown' | 'heapGrowth' | 'testLeaks'

/** What `task.meta.leakwatch` holds for each test. */
export interface LeakwatchTaskMeta extends ResourceDelta, ReportedLeaks {
  /** Null with `heap: 'off'`. */
  heap: HeapFigures | null
  /** MaxListenersExceededWarnings the test caused, in words, with the line of the add. */
  warnings: string[]
  /** The test opted out with `allowLeaks()`. */
  allowed: boolean
}

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

/**
 * The functions a test file imports from its runner's entry (`leakwatch/vitest`, `leakwatch/jest`,
 * `leakwatch/node-test`): the same under every runner, each working on the test file that runs.
 */
export interface TestApi {
  /**
   * Sets options for the test file that runs: each test file starts from the defaults, so a setup file of your own
   * (loaded after leakwatch's entry) configures every file. Unknown keys and wrong types throw a TypeError naming the
   * key and what it accepts.
   */
  configure(options: LeakwatchOptions): void

  /**
   * With a function: runs it, then throws a `LeakError` if it left resources open. Without: checks what the current
   * test created so far. Resources reported here are not reported again at the end of the test.
   * Without a function, it throws while tests run concurrently (it cannot tell which of them called it).
   */
  expectNoLeaks(fn?: () => unknown): Promise<void>

  /**
   * Watches an object that must be garbage when the current test ends (outside a test: when the file ends); still
   * reachable after GC, it fails the test. Never keeps the object alive. Returns the object.
   * Throws while tests run concurrently (it cannot tell which of them called it).
   */
  watch<T extends object>(target: T, label?: string): T

  /**
   * Opts the current test out of the leak check; called outside a test (module level, `beforeAll`, node:test's
   * `before()`), the whole file.
   * Throws while tests run concurrently (it cannot tell which of them called it).
   */
  allowLeaks(): void

  /**
   * Counts by kind of what the current test created and of what is still open now, the listeners it left attached,
   * and how much the heap and native memory grew since it began (as they are: no GC is forced).
   * Throws while tests run concurrently (it cannot tell which of them called it).
   */
  resourceDelta(): ResourceDelta & { heapBytes: number; nativeBytes: number }
}

/** The error a leaking test fails with; its message is the report. */
export declare class LeakError extends Error {
  name: 'LeakError'
  /** The leaks (an accessor: runners printing an error's own properties do not print them under the report). */
  leaks: Leak[]
  constructor(message: string, leaks: Leak[])
  /** Name, message and stack only: what runners send from their workers, without the leaks. */
  toJSON(): { name: string; message: string; stack: string }
}

export interface CheckResult {
  leaks: Leak[]
  /** The report, empty when there are no leaks. */
  text: string
  /** MaxListenersExceededWarnings the scope caused, in words. */
  warnings: string[]
}

/** A scope resources are attributed to: a test, a file, a block. */
export interface LeakScope {
  subject: string
  allowed: boolean
  attributionUncertain: boolean
}

/** The runner-agnostic tracker that runner adapters are built on. One per Node env: see `workerTracker()`. */
export declare class LeakTracker {
  constructor(options?: LeakwatchOptions)
  readonly options: Readonly<Required<Omit<LeakwatchOptions, 'baseline'>>> & { baseline: BaselineEntry[] }
  /** Creation sites are shown relative to this directory. Default: the working directory. */
  root: string
  /** Path fragments of the test runner's code: what it makes, with no frame in user code, is not a leak. */
  runnerDirs: string[]
  configure(options: LeakwatchOptions): void
  /** Back to the default options. */
  resetOptions(): void
  /** Installs the async hook (idempotent). */
  start(): void
  stop(): void
  /** The scope resources are recorded in when no test's async context says otherwise. */
  activeScope: LeakScope | null
  /** The scope what runs now belongs to: its test's, by async context, else the active one. */
  scopeNow(): LeakScope | null
  /** Runs `fn` in `scope`'s async context: what it starts, whenever that lands, is the scope's. */
  runInScope<T>(scope: LeakScope, fn: () => T): T
  /** Counts `emitter` as born in `scope`: the listeners added to it there are the scope's own business. */
  adoptEmitter(emitter: object, scope: LeakScope): void
  /**
   * Opens a scope and makes it active, unless `activate: false` (it will run in its own async context through
   * `runInScope`); a nested scope records into its parent too.
   */
  openScope(subject: string, parent?: LeakScope | null, options?: { activate?: boolean }): LeakScope
  /**
   * Waits for pending closes, then reports what a test (or a block of it) left open, with the tracker's options.
   * `testName`: the test's name, for the ignore rules and baseline entries that name a test; undefined when it cannot
   * be told (tests running concurrently).
   */
  checkTest(scope: LeakScope, testName: string | undefined): Promise<CheckResult>
  /**
   * Waits for pending closes, then reports what the scope has open after a service's stop, with the audit's own
   * options, in words that put the fix on the service's stop(); the scope's watched objects are left to its end.
   */
  checkShutdown(scope: LeakScope, audit: { subject: string; options: LeakTracker['options'] }): Promise<CheckResult>
  /** Counts of what the scope created and of what is open now. */
  delta(scope: LeakScope): ResourceDelta
  /** Counts of what the scope has open now, and of its listeners still attached by emitter and event. */
  openCounts(scope: LeakScope): Pick<ResourceDelta, 'handles' | 'listeners'>
  /** Ends a scope, remembering weakly what it left open so later scopes are not blamed for it. */
  release(scope: LeakScope): void
  /** Drops the records of a long-lived scope whose resources have closed. */
  compact(scope: LeakScope): void
}

/** The tracker of this Node env, created on first use. */
export declare function workerTracker(): LeakTracker

/** Every kind name, in report order. */
export declare const KINDS: ResourceKind[]

export declare const DEFAULT_OPTIONS: Readonly<Required<Omit<LeakwatchOptions, 'baseline'>>> & {
  baseline: BaselineEntry[]
}

/** What `assertCleanShutdown()` takes besides the function. */
export interface ShutdownAuditOptions {
  /** What is shut down, for the report: `shutdown of <name> left ...`. */
  name?: string
  /** How long pending closes may take to land after the function returned, in ms (0 to 60000). Default: `settleMs` in force (100). */
  settleMs?: number
  /** The kinds to audit; `null` for all. Default: `kinds` in force. */
  kinds?: ResourceKind[] | null
  /** Report unref'd handles and timers too. Default: `reportUnref` in force (`false`). */
  reportUnref?: boolean
  /** Resources to accept in this audit, on top of the ignore rules configured. */
  ignore?: IgnoreRule[]
}

/** What a clean shutdown audit resolves with. */
export interface ShutdownSummary {
  /** How long the function (the service's stop) took, in ms. */
  stopMs: number
  /** Resources and listeners the audit could see when the stop began: those tracked in the scope (a test's, or the process's). */
  tracked: number
  /** Still open but accepted (ignore rules; unref'd ones only with `reportUnref`), by kind. */
  stillOpen: KindCounts
  /** MaxListenersExceededWarnings caused since, in words. */
  warnings: string[]
}

/**
 * Starts tracking resources in a process with no test runner: everything reportable opened from now on is recorded
 * for `assertCleanShutdown()`. Call it before the service starts. Under leakwatch/vitest or leakwatch/node-test,
 * tracking is on already and this does nothing.
 */
export declare function trackResources(): void

/**
 * Runs `fn` (the service's own stop), lets pending closes land, and rejects with a `LeakError` ("shutdown left N
 * resources open", with the line that created each) when anything opened since tracking began is still open: in a
 * test, what the test opened (in a file-level hook, what the file opened); in a plain script, what was opened since
 * `trackResources()`. Resolves with a summary when nothing is. What it reports is not reported again when the test ends.
 * Rejects with a TypeError for bad arguments, and with an Error when nothing is being tracked.
 */
export declare function assertCleanShutdown(fn: () => unknown, options?: ShutdownAuditOptions): Promise<ShutdownSummary>
