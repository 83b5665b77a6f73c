// What a runner adapter records per test and per file for leakwatch's reporter (vitest: `task.meta.leakwatch`), so
// that every runner hands the reporter the same figures: whether the leaks failed the test or only warned
// (`onLeak: 'warn'`), and why leakwatch failed it; its leaks as the report keeps them; for a file, its own leaks,
// its heap growth with the samples it was fitted on (the reporter pools them into the suite's fit), and the options
// in force when it ended.
//
// A scope's leaks are kept whole up to LEAK_RECORDS_PER_SCOPE; past that, one record of each creation site first,
// the sites themselves (as far as the same limit) with their counts and their members described as one, and the
// counts by kind: one test that leaks 2,000 intervals makes a report of a few kilobytes that still names every
// other leak of the test. The meta travels to vitest's main process with the test's result, so it is kept small
// here, in the worker. Which leaks are "the same" is the native grouping's call (src/leak_group.rs).

import { loadNative } from '../native.js'

/** Leak records, and creation sites, a test's or a file's report lists; past it, they are counted (docs/reports.md). */
export const LEAK_RECORDS_PER_SCOPE = 100

/**
 * Why leakwatch failed a test or a file, as the report's `failureReasons` say it.
 * - `leaks`: what the test (or the file's own scope) left open when it ended;
 * - `expectNoLeaks`, `assertCleanShutdown`: a LeakError that call threw failed it;
 * - `heapGrowth`: the file's heap grew past a limit;
 * - `testLeaks`: the file failed for the leaks of tests its runner could not fail (vitest: `test.fails`, `ctx.skip()`).
 */
export const FAILURE_REASONS = Object.freeze([
  'leaks',
  'expectNoLeaks',
  'assertCleanShutdown',
  'heapGrowth',
  'testLeaks',
])

/**
 * @param {{ leaks: object[] }} result a check's result
 * @param {'fail' | 'warn'} onLeak
 */
export function leakOutcome(result, onLeak) {
  const leaked = result.leaks.length > 0
  return { failedByLeaks: leaked && onLeak !== 'warn', warned: leaked && onLeak === 'warn' }
}

/**
 * The members to keep of each group, a record of every group first, then a second of each, and so on, until
 * `limit`: as positions in the list grouped, ascending.
 */
function keptMembers(groups, limit) {
  const kept = []
  for (let round = 0; kept.length < limit; round++) {
    const before = kept.length
    for (const group of groups) {
      if (round < group.members.length) kept.push(group.members[round])
      if (kept.length === limit) break
    }
    if (kept.length === before) break
  }
  return kept.sort((a, b) => a - b)
}

/**
 * A scope's leaks as its report keeps them: `leaks` (whole up to the limit, else a record of each site first),
 * `leakCount` and `leaksByKind` (every leak), `leakGroups` (by creation site, as far as the limit: `{ count,
 * description, leak }`, `leak` being its first member's place in `leaks`) and `leakGroupCount` (every site).
 * @param {object[]} leaks in the order found
 */
export async function reportedLeaks(leaks) {
  if (leaks.length === 0) return { leaks: [], leakCount: 0, leaksByKind: {}, leakGroups: [], leakGroupCount: 0 }
  const native = await loadNative()
  /** @type {Array<{ count: number, description: string, members: number[] }>} */
  const groups = JSON.parse(native.groupLeaks(JSON.stringify(leaks)))
  const listed = groups.slice(0, LEAK_RECORDS_PER_SCOPE)
  const kept = keptMembers(listed, LEAK_RECORDS_PER_SCOPE)
  const place = new Map(kept.map((member, at) => [member, at]))
  const leaksByKind = {}
  for (const leak of leaks) leaksByKind[leak.kind] = (leaksByKind[leak.kind] ?? 0) + 1
  return {
    leaks: kept.map((member) => leaks[member]),
    leakCount: leaks.length,
    leaksByKind,
    leakGroups: listed.map((group) => ({
      count: group.count,
      description: group.description,
      leak: place.get(group.members[0]),
    })),
    leakGroupCount: groups.length,
  }
}

/**
 * The LeakErrors leakwatch threw inside a scope that its runner failed it with, and the reasons they add.
 * @param {Array<{ error: object, by: string }>} thrown the scope's (LeakScope#thrown)
 * @param {((error: object) => boolean) | undefined} failedWith whether the runner failed the test (or file) with
 *   this error; without it (a runner that cannot tell), none counts
 */
export function failingThrown(thrown, failedWith) {
  const failing = failedWith ? thrown.filter(({ error }) => failedWith(error)) : []
  return { leaks: failing.flatMap(({ error }) => error.leaks), reasons: [...new Set(failing.map(({ by }) => by))] }
}

/**
 * @param {{ result: { leaks: object[], warnings: string[] }, growth: object | null, options: object, allowed: boolean,
 *   workerId: number | null, thrown?: { leaks: object[], reasons: string[] } }} file `growth`: what
 *   LeakTracker.checkFile judged (null when the file was not checked); `allowed`: the file was not checked
 *   (allowLeaks() at module level, or leakwatch disabled); `thrown`: what failingThrown() gave for the file's scope
 */
export async function fileReportMeta({
  result,
  growth,
  options,
  allowed,
  workerId,
  thrown = { leaks: [], reasons: [] },
}) {
  const { heap, maxHeapGrowthPerTest, maxHeapGrowthPerFile, onLeak } = options
  // judgeGrowth's result is the schema's `files[].heap` as it is.
  const heapGrowth = growth && heap !== 'off' ? growth : null
  const { failedByLeaks, warned } = leakOutcome(result, onLeak)
  const failureReasons = [
    ...(failedByLeaks ? ['leaks'] : []),
    ...thrown.reasons,
    ...(heapGrowth?.error ? ['heapGrowth'] : []),
  ]
  return {
    ...(await reportedLeaks([...thrown.leaks, ...result.leaks])),
    warnings: result.warnings,
    heap: heapGrowth,
    allowed,
    failedByLeaks: failureReasons.length > 0,
    failureReasons,
    warned,
    options: { heap, maxHeapGrowthPerTest, maxHeapGrowthPerFile, onLeak },
    workerId,
  }
}

/**
 * Marks a file's meta failed by the leaks of tests its runner could not fail (their LeakErrors fail the file).
 * @param {object} meta what fileReportMeta() gave
 */
export function failedByTestLeaks(meta) {
  return { ...meta, failedByLeaks: true, failureReasons: [...meta.failureReasons, 'testLeaks'] }
}
