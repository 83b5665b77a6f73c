// The shutdown audit: after a service's own stop(), what it opened that is still open. For a test of a graceful
// shutdown path, with a test runner or in a plain script.
//
// It must know what the service opened, so it audits the active scope: under leakwatch/vitest, leakwatch/node-test or
// leakwatch/jest (which exports it, bound to the tracker of jest's worker realm) the running test's (in a file-level
// hook, the file's), in a plain script the one trackResources() opens for the process. After `await fn()` that scope
// is checked as a test's end is (the settle window, then what is still open), under the subject "shutdown". What it
// reports is marked reported in the scope, so the test's own check does not report it again; watched objects are
// left to the test's end (the test itself still holds the service).

import { describeValue } from './describe-value.js'
import { LeakError } from './leak-error.js'
import { KINDS, workerTracker } from './leak-tracker.js'
import { mergeOptions } from './options.js'
import { realNow, realSetInterval } from './real-timers.js'

/** The options an audit takes; the others are the tracker's business. */
const AUDIT_OPTIONS = ['name', 'settleMs', 'kinds', 'reportUnref', 'ignore']

/** Closed resources' records are dropped this often in a plain script's scope, so it never grows with uptime. */
const COMPACT_EVERY_MS = 5_000

const NOT_TRACKING =
  'leakwatch: assertCleanShutdown() can only audit what it saw being opened, and nothing is being tracked.\n' +
  '  In a plain script, call trackResources() (from "leakwatch") before the service starts: everything opened\n' +
  '  after that call is audited. In tests, load leakwatch/vitest (setupFiles) or leakwatch/node-test; under jest,\n' +
  '  list leakwatch/jest in setupFilesAfterEnv and take assertCleanShutdown from "leakwatch/jest", not "leakwatch".'

/**
 * Starts tracking resources in a process with no test runner: everything reportable opened from now on is recorded,
 * with its creation stack, for assertCleanShutdown(). Under leakwatch/vitest or leakwatch/node-test, tracking is on
 * already and this does nothing.
 */
export function trackResources() {
  const tracker = workerTracker()
  if (tracker.started) return
  tracker.start()
  const scope = tracker.openScope('the process (since trackResources())')
  tracker.untracked(() => realSetInterval(() => tracker.compact(scope), COMPACT_EVERY_MS).unref())
}

/** Validates the audit's options and merges them over the tracker's: ignore rules add to the configured ones. */
function auditOptions(options, base) {
  if (options === undefined) return { name: undefined, options: base }
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(
      `leakwatch: assertCleanShutdown()'s options must be an object { ${AUDIT_OPTIONS.join(', ')} }; got ${describeValue(options)}`,
    )
  }
  const { name, ...checkOptions } = options
  for (const key of Object.keys(checkOptions)) {
    if (!AUDIT_OPTIONS.includes(key)) {
      throw new TypeError(
        `leakwatch: unknown assertCleanShutdown() option "${key}"; accepted options are ${AUDIT_OPTIONS.join(', ')}`,
      )
    }
  }
  if (name !== undefined && (typeof name !== 'string' || name === '')) {
    throw new TypeError(
      `leakwatch: assertCleanShutdown() option "name" must be a non-empty string (what is shut down); got ${describeValue(name)}`,
    )
  }
  const merged = mergeOptions(checkOptions, base, KINDS)
  return {
    name,
    options: checkOptions.ignore ? { ...merged, ignore: [...base.ignore, ...checkOptions.ignore] } : merged,
  }
}

/**
 * Runs `fn` (the service's stop), lets pending closes land, and rejects with a LeakError if anything opened since
 * tracking began (in this test, or this process) is still open; resolves with a summary when nothing is.
 * @param {() => unknown | Promise<unknown>} fn
 * @param {{ name?: string, settleMs?: number, kinds?: string[] | null, reportUnref?: boolean, ignore?: object[] }} [options]
 * @returns {Promise<{ stopMs: number, tracked: number, stillOpen: Record<string, number>, warnings: string[] }>}
 */
export async function assertCleanShutdown(fn, options) {
  if (typeof fn !== 'function') {
    throw new TypeError(
      `leakwatch: assertCleanShutdown() takes the function that stops the service (sync or async), e.g. () => server.stop(); got ${describeValue(fn)}`,
    )
  }
  const tracker = workerTracker()
  const audit = auditOptions(options, tracker.options)
  const scope = tracker.scopeNow()
  if (!tracker.started || scope === null) throw new Error(NOT_TRACKING)
  // Counted before the stop: a plain script's scope is compacted every few seconds, which drops what has closed.
  const tracked = scope.records.length + scope.listenerRecords.length
  const startedAt = realNow()
  await fn()
  const stopMs = realNow() - startedAt
  const subject = audit.name ? `shutdown of ${audit.name}` : 'shutdown'
  const result = await tracker.checkShutdown(scope, { subject, options: audit.options })
  for (const warning of result.warnings) console.warn(`[leakwatch] ${warning}`)
  if (result.leaks.length > 0) {
    const error = new LeakError(result.text, result.leaks)
    scope.noteThrown(error, 'assertCleanShutdown')
    throw error
  }
  // What is open still was accepted (an ignore rule, the kinds option); with `reportUnref: false` unref'd handles are
  // not counted: they do not keep the process alive.
  const { handles } = tracker.openCounts(scope)
  return { stopMs, tracked, stillOpen: handles, warnings: result.warnings }
}
