// What a runner adapter records per test and per file for leakwatch's reporter (vitest: `task.meta.leakwatch`), so
// that every runner hands the reporter the same figures: whether the leaks failed the test or only warned
// (`onLeak: 'warn'`), and for a file, its own leaks, its heap growth with the samples it was fitted on (the reporter
// pools them into the suite's fit), and the options in force when it ended.

/**
 * @param {{ leaks: object[] }} result a check's result
 * @param {'fail' | 'warn'} onLeak
 */
export function leakOutcome(result, onLeak) {
  const leaked = result.leaks.length > 0
  return { failedByLeaks: leaked && onLeak !== 'warn', warned: leaked && onLeak === 'warn' }
}

/**
 * @param {{ result: { leaks: object[], warnings: string[] }, growth: object | null, options: object, allowed: boolean,
 *   workerId: number | null }} file `growth`: what LeakTracker.checkFile judged (null when the file was not checked);
 *   `allowed`: the file was not checked (allowLeaks() at module level, or leakwatch disabled)
 */
export function fileReportMeta({ result, growth, options, allowed, workerId }) {
  const { heap, maxHeapGrowthPerTest, maxHeapGrowthPerFile, onLeak } = options
  // judgeGrowth's result is the schema's `files[].heap` as it is.
  const heapGrowth = growth && heap !== 'off' ? growth : null
  const { failedByLeaks, warned } = leakOutcome(result, onLeak)
  return {
    leaks: result.leaks,
    warnings: result.warnings,
    heap: heapGrowth,
    allowed,
    failedByLeaks: failedByLeaks || Boolean(heapGrowth?.error),
    warned,
    options: { heap, maxHeapGrowthPerTest, maxHeapGrowthPerFile, onLeak },
    workerId,
  }
}
