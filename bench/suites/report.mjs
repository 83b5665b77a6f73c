// Compares a suite's plain runs with its leakwatch runs (which tests fail only with leakwatch, and the wall time of
// each interleaved pair) and prints the result.

import { median } from '../handles/report.mjs'
import { classifyFailure, shortStep } from './classify.mjs'

/** Leaks shown per failure; the JSON result has them all. */
const LEAKS_SHOWN = 3

/**
 * @param {string} suite the suite's name
 * @param {Array<{ plain: import('./run-suite.mjs').SuiteRun, leakwatch: import('./run-suite.mjs').SuiteRun }>} pairs
 */
export function compareRuns(suite, pairs) {
  const plainRuns = pairs.map((pair) => pair.plain)
  const leakwatchRuns = pairs.map((pair) => pair.leakwatch)
  const failedIn = (runs, key) => runs.filter((run) => run.tests.get(key)?.status === 'failed').length
  const failedKeys = (runs) =>
    new Set(runs.flatMap((run) => [...run.tests].filter(([, test]) => test.status === 'failed').map(([key]) => key)))

  const plainFailures = [...failedKeys(plainRuns)].map((key) => {
    const test = plainRuns.map((run) => run.tests.get(key)).find((found) => found?.status === 'failed')
    return {
      key,
      file: test.file,
      name: test.name,
      failedIn: failedIn(plainRuns, key),
      firstLine: firstLine(test.message),
    }
  })
  const plainFailed = new Set(plainFailures.map((failure) => failure.key))
  const newFailures = [...failedKeys(leakwatchRuns)]
    .filter((key) => !plainFailed.has(key))
    .map((key) => {
      const test = leakwatchRuns.map((run) => run.tests.get(key)).find((found) => found?.status === 'failed')
      const classified = classifyFailure({ suite, file: test.file, name: test.name, message: test.message })
      return {
        key,
        file: test.file,
        name: test.name,
        failedIn: failedIn(leakwatchRuns, key),
        ...classified,
        message: test.message,
      }
    })
  // A test that ran plain but not with leakwatch (its file crashed or the run was killed) is missing, not passed.
  const missing = [...new Set(plainRuns.flatMap((run) => [...run.tests.keys()]))].filter(
    (key) => !key.endsWith(' > (file)') && leakwatchRuns.some((run) => !run.tests.has(key)),
  )

  const ratios = pairs.map((pair) => pair.leakwatch.wallS / pair.plain.wallS)
  return {
    tests: { plain: testCount(plainRuns[0]), leakwatch: testCount(leakwatchRuns[0]) },
    plainFailures,
    newFailures,
    missing,
    runErrors: [
      ...plainRuns.map((run) => run.error && `plain: ${run.error}`),
      ...leakwatchRuns.map((run) => run.error && `leakwatch: ${run.error}`),
    ].filter(Boolean),
    wall: {
      pairs: pairs.map((pair, index) => ({
        pair: index + 1,
        order: pair.order,
        plainS: pair.plain.wallS,
        leakwatchS: pair.leakwatch.wallS,
        ratio: ratios[index],
      })),
      medianPlainS: median(plainRuns.map((run) => run.wallS)),
      medianLeakwatchS: median(leakwatchRuns.map((run) => run.wallS)),
      medianRatio: median(ratios),
    },
  }
}

/** Tests that ran (passed or failed): not skipped ones, not suites, not a file's own result. */
function testCount(run) {
  return [...run.tests.values()].filter((test) => test.status !== 'skipped' && test.name !== '(file)' && !test.isSuite)
    .length
}

function firstLine(message) {
  return (message.split('\n').find((line) => line.trim() !== '') ?? '').trim()
}

const f2 = (n) => n.toFixed(2)

/** A retainer path in one line: its first and last references, where the root and the holder are. */
function compactPath(steps) {
  const short = steps.map(shortStep)
  return (short.length > 8 ? [...short.slice(0, 4), '…', ...short.slice(-4)] : short).join(' → ')
}

/**
 * @param {{ name: string, spec: import('./suites.mjs').SuiteSpec, commit: string, versions: object }} suite
 * @param {ReturnType<typeof compareRuns>} result
 */
export function formatSuite(suite, result) {
  const { spec, commit } = suite
  const runs = result.wall.pairs.length
  const versions = Object.entries(suite.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ')
  const lines = [
    `== ${suite.name}: ${spec.repo} @ ${commit.slice(0, 12)}${spec.tag ? ` (${spec.tag})` : ''}${versions ? `; ${versions}` : ''}`,
    `   runs: ${spec.how}`,
  ]
  for (const skipped of spec.skip) lines.push(`   skipped: ${skipped.file}: ${skipped.reason}`)
  for (const error of result.runErrors) lines.push(`   RUN ERROR ${error}`)
  const { plain, leakwatch } = result.tests
  lines.push(
    `   tests: ${plain}${leakwatch !== plain ? ` (with leakwatch: ${leakwatch})` : ''}; plain failures: ${result.plainFailures.length}; ` +
      `new failures with leakwatch: ${result.newFailures.length}${result.missing.length ? `; missing with leakwatch: ${result.missing.length}` : ''}`,
  )
  for (const failure of result.plainFailures) {
    lines.push(
      `   plain failure (${failure.failedIn}/${runs}): ${failure.key}`,
      `       ${failure.firstLine.slice(0, 160)}`,
    )
  }
  const byClass = new Map()
  for (const failure of result.newFailures) byClass.set(failure.class, (byClass.get(failure.class) ?? 0) + 1)
  if (byClass.size > 0)
    lines.push(`   new failures by class: ${[...byClass].map(([name, count]) => `${name}: ${count}`).join('; ')}`)
  for (const failure of result.newFailures) {
    lines.push(
      '',
      `   [${failure.class}] ${failure.key}  (failed in ${failure.failedIn}/${runs} leakwatch runs)`,
      `     ${failure.header}`,
    )
    for (const leak of failure.leaks.slice(0, LEAKS_SHOWN)) {
      lines.push(`     ● ${leak.count > 1 ? `${leak.count} × ` : ''}${leak.description}`)
      const createdAt = leak.createdAt?.replace(
        /, in a callback with no frame of your code on the stack; it begins:$/,
        '',
      )
      if (createdAt)
        lines.push(
          `       created ${createdAt}${leak.calledFrom.length ? `  ${leak.calledFrom.slice(0, 2).join('  ')}` : ''}`,
        )
      if (leak.retainerPath.length) lines.push(`       retained by: ${compactPath(leak.retainerPath)}`)
      lines.push(`       → ${leak.class}${leak.reason ? `: ${leak.reason}` : ''}`)
    }
    if (failure.leaks.length > LEAKS_SHOWN)
      lines.push(`     … ${failure.leaks.length - LEAKS_SHOWN} more leaks in the JSON result`)
  }
  // Each real leak once, with why it is real; the failures above name it by `what`.
  const realLeaks = new Map()
  for (const failure of result.newFailures) {
    for (const leak of failure.leaks) {
      if (!leak.known) continue
      if (!realLeaks.has(leak.known.what)) realLeaks.set(leak.known.what, { ...leak.known, failures: new Set() })
      realLeaks.get(leak.known.what).failures.add(failure.key)
    }
  }
  if (realLeaks.size > 0) lines.push('', '   real leaks found (known-leaks.mjs):')
  for (const { what, why, failures } of realLeaks.values()) {
    lines.push(`     - ${what} [in ${failures.size} failure${failures.size === 1 ? '' : 's'}]: ${why}`)
  }
  if (result.missing.length) lines.push('', `   missing with leakwatch: ${result.missing.slice(0, 10).join('; ')}`)
  const { medianPlainS, medianLeakwatchS, medianRatio } = result.wall
  lines.push(
    '',
    `   wall over ${runs} interleaved pair${runs === 1 ? '' : 's'}: plain ${f2(medianPlainS)} s, leakwatch ${f2(medianLeakwatchS)} s (medians); ` +
      `ratio per pair ${result.wall.pairs.map((pair) => f2(pair.ratio)).join(', ')}; median ratio ${f2(medianRatio)}`,
  )
  return lines.join('\n')
}

/** One line per suite: the figures to compare across runs of the bench. */
export function formatSummary(results) {
  const lines = ['summary (new failures: real leaks + false failures by class; wall: median leakwatch/plain):']
  for (const result of results) {
    const real = result.newFailures.filter(
      (failure) => failure.leaks.length > 0 && failure.leaks.every((leak) => leak.known),
    ).length
    const falseByClass = new Map()
    for (const failure of result.newFailures) {
      if (failure.leaks.length > 0 && failure.leaks.every((leak) => leak.known)) continue
      const classes =
        failure.leaks.length > 0
          ? [...new Set(failure.leaks.filter((leak) => !leak.known).map((leak) => leak.class))]
          : [failure.class]
      for (const name of classes) falseByClass.set(name, (falseByClass.get(name) ?? 0) + 1)
    }
    const falses = [...falseByClass].map(([name, count]) => `${name} ${count}`).join(', ') || 'none'
    lines.push(
      `  ${result.suite}: ${result.tests.plain} tests, ${result.plainFailures.length} plain failures, ${result.newFailures.length} new ` +
        `(${real} only real leaks; false: ${falses}); wall ${f2(result.wall.medianRatio)}x`,
    )
  }
  return lines.join('\n')
}
