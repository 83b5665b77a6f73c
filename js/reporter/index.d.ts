import type { Reporter, TestModule, Vitest } from 'vitest/node'
import type {
  FailureReason,
  FileHeapGrowth,
  HeapFigures,
  KindCounts,
  LeakwatchFileMeta,
  ReportedLeaks,
} from '../index.js'

/**
 * Options: `reporters: ['default', ['leakwatch/reporter', { json, html, summary }]]`. (A type, not an interface:
 * vitest's config takes reporter options as `Record<string, unknown>`, which an interface is not assignable to.)
 */
export type LeakwatchReporterOptions = {
  /**
   * Path of the JSON report, relative to vitest's root, or false for none. Default `'leakwatch-report.json'`
   * (`'leakwatch-report-2-3.json'` under `--shard=2/3`).
   */
  json?: string | false
  /** Path of the HTML report, relative to vitest's root, or false for none. Default `'leakwatch-report.html'`. */
  html?: string | false
  /** Print the end-of-run summary in the terminal. Default `true`. */
  summary?: boolean
}

/**
 * `unfinished`: the test (or file) was still running, or not started, when the run ended: its worker exited (a crash,
 * `process.abort()`, a kill) or the run was cut short (`--bail`, a signal). Nothing in it was checked to its end.
 */
export type ReportState = 'pass' | 'fail' | 'skip' | 'unfinished'

/** One test, as the report records it; its leaks as `ReportedLeaks` keeps them. */
export interface ReportTest extends ReportedLeaks {
  /** `describe > test`, without the file. */
  name: string
  /** Its position in the file, from 0 (skipped tests included). */
  index: number
  state: ReportState
  /** Failed by leakwatch (`onLeak: 'fail'`): `failureReasons` says why. */
  failedByLeaks: boolean
  failureReasons: FailureReason[]
  /** Leaked in warn-only mode (`onLeak: 'warn'`): passed. */
  warned: boolean
  /** Not checked (`allowLeaks()`). */
  allowed: boolean
  durationMs: number | null
  created: KindCounts
  handles: KindCounts
  listeners: Record<string, number>
  /** Null with `heap: 'off'` or when the test did not run. */
  heap: HeapFigures | null
  warnings: string[]
}

/** One test file; its own leaks (module level, beforeAll, closed servers kept reachable) as `ReportedLeaks` keeps them. */
export interface ReportFile extends ReportedLeaks {
  /** Relative to the report's root, '/'-separated. */
  file: string
  project: string | null
  pool: string | null
  workerId: number | null
  state: ReportState
  allowed: boolean
  /**
   * Failed by leakwatch: for its own leaks, a LeakError thrown in its own scope, its heap growth, or the leaks of tests
   * vitest could not fail (`failureReasons`).
   */
  failedByLeaks: boolean
  failureReasons: FailureReason[]
  warned: boolean
  heap: FileHeapGrowth | null
  warnings: string[]
  /**
   * The options the file ran with; null when leakwatch did not run in it (its tests all skipped, it failed to load,
   * or no setup file). The report's `options` are derived from these.
   */
  options: LeakwatchFileMeta['options'] | null
  tests: ReportTest[]
}

export interface ReportTotals {
  files: number
  /** Tests that ran to their end (passed or failed). */
  tests: number
  testsFailedByLeaks: number
  testsWarned: number
  filesFailedByLeaks: number
  filesWarned: number
  /** Every leak of tests and files, also those past the records a scope keeps. */
  leaks: number
  leaksByKind: KindCounts
  filesWithHeapWarning: number
  filesOverHeapLimit: number
  /** Files and tests that did not finish (state `unfinished`). */
  filesUnfinished: number
  testsUnfinished: number
}

/** The suite's heap growth: the files' samples in one fit pooled within files. */
export interface SuiteHeapGrowth {
  slopeBytesPerTest: number
  r2: number
  samples: number
  /** Files with two samples or more, the ones the fit is over. */
  files: number
  /** Over `maxHeapGrowthPerTest`: the run fails, this says why. */
  error: string | null
  /** No limit set, and the suite's heap grows steadily. */
  warning: string | null
}

/** `leakwatch-report.json`, schema version 1. */
export interface LeakwatchReport {
  schema: 'leakwatch-report'
  version: 1
  leakwatchVersion: string
  createdAt: string
  root: string
  sources: Array<{ createdAt: string; shard: string | null; hostname: string }>
  /** The files' options as one: a mode they share, and a limit only when every file that has options had one. */
  options: {
    heap: 'off' | 'file' | 'test' | 'mixed' | null
    maxHeapGrowthPerTest: number | null
    maxHeapGrowthPerFile: number | null
  }
  totals: ReportTotals
  suite: SuiteHeapGrowth
  files: ReportFile[]
}

/**
 * leakwatch's vitest reporter: a summary in the terminal, the JSON and HTML reports, and the suite's heap growth
 * judged (over `maxHeapGrowthPerTest`, the run's exit code is 1). Unknown options throw a TypeError.
 */
export default class LeakwatchReporter implements Reporter {
  constructor(options?: LeakwatchReporterOptions)
  readonly options: Required<LeakwatchReporterOptions>
  onInit(vitest: Vitest): void
  /** The report of the test modules that ran. */
  buildReport(testModules: ReadonlyArray<TestModule>): LeakwatchReport
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors?: ReadonlyArray<unknown>,
    reason?: 'passed' | 'interrupted' | 'failed',
  ): Promise<void>
}

export { LeakwatchReporter }
export { renderHtmlReport } from './html/index.js'
