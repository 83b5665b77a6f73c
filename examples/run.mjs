// `npm run example`: runs the messaging example under leakwatch (examples/messaging: Fastify, Redis, WebSockets),
// first as the original team wrote its tests (leaky), then corrected (fixed); shows leakwatch's reports, and
// checks that every planted leak was caught in the test that made it, at its line, and every fixed test passed.
// The leaky run also goes through leakwatch's reporter: its summary, and leakwatch-report.json and .html in
// examples/messaging, which are checked too.

import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { exitIfMissing } from '../scripts/required-programs.mjs'
import { EXPECTED_FILE_FAILURES, EXPECTED_FIXED_PASSES, EXPECTED_LEAKS, EXPECTED_LEAKY_PASSES, expectedPatterns, lineOf } from './messaging/expected.mjs'

// Before vitest starts: without it, the hint would sit under vitest's output of two runs that could not start.
exitIfMissing('examples/run.mjs', ['redis-server'])

const repoRoot = fileURLToPath(new URL('..', import.meta.url))
const exampleRoot = path.join(repoRoot, 'examples', 'messaging')
const vitest = path.join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs')

const leakwatchJson = path.join(exampleRoot, 'leakwatch-report.json')
const leakwatchHtml = path.join(exampleRoot, 'leakwatch-report.html')
/** The HTML page is rendered by js/reporter/html/index.js; a leakwatch without it writes the JSON only. */
const htmlRenderer = path.join(repoRoot, 'js', 'reporter', 'html', 'index.js')

function runProject(project, title, extraReporters = []) {
  console.log(`\n━━━ ${title} ━━━\n`)
  const outDir = mkdtempSync(path.join(tmpdir(), 'leakwatch-example-'))
  const jsonFile = path.join(outDir, 'report.json')
  // Reporters given on the command line replace the config's (keeping their options from it).
  const reporters = ['--reporter=default', '--reporter=json', ...extraReporters.map((reporter) => `--reporter=${reporter}`)]
  const run = spawnSync(process.execPath, [vitest, 'run', '--root', exampleRoot, '--project', project, ...reporters, `--outputFile=${jsonFile}`], {
    cwd: exampleRoot,
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  try {
    const report = JSON.parse(readFileSync(jsonFile, 'utf8'))
    const tests = new Map(report.testResults.flatMap((file) => file.assertionResults.map((test) => [`${path.relative(exampleRoot, file.name)} > ${test.fullName}`, test])))
    const files = new Map(report.testResults.map((file) => [path.relative(exampleRoot, file.name), file]))
    return { tests, files }
  } catch (error) {
    console.error(`\nThe ${project} suite wrote no report (vitest exit ${run.status}): ${error.message}`)
    process.exit(1)
  } finally {
    rmSync(outDir, { recursive: true, force: true })
  }
}

rmSync(leakwatchJson, { force: true })
rmSync(leakwatchHtml, { force: true })
const { tests: leaky, files: leakyFiles } = runProject(
  'leaky',
  'The suite as the original team wrote it: each leak should fail the test that made it',
  ['leakwatch/reporter'],
)
const { tests: fixed, files: fixedFiles } = runProject('fixed', 'The same tests, corrected: every test should pass')

const problems = []
for (const [name, expectation] of Object.entries(EXPECTED_LEAKS)) {
  const result = leaky.get(name)
  const message = (result?.failureMessages ?? []).join('\n').replace(/\u001b\[[0-9;]*m/g, '')
  if (result?.status !== 'failed' || !message.includes('LeakError')) problems.push(`"${name}" should have failed with a LeakError`)
  for (const pattern of expectedPatterns(expectation)) if (!pattern.test(message)) problems.push(`"${name}": the report does not show ${pattern}`)
}
for (const name of EXPECTED_LEAKY_PASSES) if (leaky.get(name)?.status !== 'passed') problems.push(`"${name}" should have passed`)
for (const [file, patterns] of Object.entries(EXPECTED_FILE_FAILURES)) {
  const message = (leakyFiles.get(file)?.message ?? '').replace(/\u001b\[[0-9;]*m/g, '')
  for (const pattern of patterns) if (!pattern.test(message)) problems.push(`file ${file}: its error does not show ${pattern}`)
}
for (const [file, result] of fixedFiles) if (result.status !== 'passed') problems.push(`fixed file ${file} should have passed: ${result.message}`)
for (const name of EXPECTED_FIXED_PASSES) if (fixed.get(name)?.status !== 'passed') problems.push(`fixed "${name}" should have passed`)
if (fixed.size !== EXPECTED_FIXED_PASSES.length) problems.push(`the fixed suite ran ${fixed.size} tests, expected ${EXPECTED_FIXED_PASSES.length}`)

/** The leaky run's leakwatch report: each planted leak in its test's record, with its creation sites. */
function checkLeakwatchReport() {
  if (!existsSync(leakwatchJson)) return ['the leaky run wrote no leakwatch-report.json']
  const found = []
  const report = JSON.parse(readFileSync(leakwatchJson, 'utf8'))
  if (report.schema !== 'leakwatch-report' || report.version !== 1) found.push('leakwatch-report.json is not a version 1 leakwatch report')
  const records = new Map(report.files.flatMap((file) => file.tests.map((test) => [`${file.file} > ${test.name}`, test])))
  for (const [name, { sites }] of Object.entries(EXPECTED_LEAKS)) {
    const record = records.get(name)
    if (!record?.failedByLeaks) {
      found.push(`leakwatch-report.json: "${name}" is not recorded as failed by leaks`)
      continue
    }
    const recorded = new Set(record.leaks.filter((leak) => leak.site).map((leak) => `${leak.site.file}:${leak.site.line}`))
    for (const [file, text] of sites) {
      if (!recorded.has(`${file}:${lineOf(file, text)}`)) found.push(`leakwatch-report.json: "${name}" has no leak created at ${file}:${lineOf(file, text)}`)
    }
  }
  for (const file of Object.keys(EXPECTED_FILE_FAILURES)) {
    if (!report.files.find((entry) => entry.file === file)?.failedByLeaks) found.push(`leakwatch-report.json: file ${file} is not recorded as failed by leaks`)
  }
  const expectedFailures = Object.keys(EXPECTED_LEAKS).length
  if (report.totals.testsFailedByLeaks !== expectedFailures) {
    found.push(`leakwatch-report.json counts ${report.totals.testsFailedByLeaks} tests failed by leaks, expected ${expectedFailures}`)
  }
  if (existsSync(htmlRenderer) && !existsSync(leakwatchHtml)) found.push('the leaky run wrote no leakwatch-report.html')
  return found
}
problems.push(...checkLeakwatchReport())

console.log('\n━━━ Summary ━━━\n')
if (problems.length > 0) {
  console.error(`The example did not go as expected:\n  - ${problems.join('\n  - ')}`)
  process.exit(1)
}
console.log(`leakwatch failed all ${Object.keys(EXPECTED_LEAKS).length} leaky tests, each for what it left open and at the line`)
console.log(`that created it; the ${EXPECTED_LEAKY_PASSES.length} route tests that close their servers passed, and their file failed for`)
console.log(`the closed servers a mock kept reachable; all ${EXPECTED_FIXED_PASSES.length} fixed tests passed. (vitest exits 1 on the`)
console.log('leaky suite: that is the point.)')
const written = [leakwatchJson, leakwatchHtml].filter((file) => existsSync(file)).map((file) => path.relative(process.cwd(), file))
console.log(`\nleakwatch's report of the leaky suite: ${written.join(', ')}`)
