// `npm run example`: runs the messaging example under leakwatch (examples/messaging: Fastify, Redis, WebSockets),
// first as the original team wrote its tests (leaky), then corrected (fixed); shows leakwatch's reports, and
// checks that every planted leak was caught in the test that made it, at its line, and every fixed test passed.

import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { EXPECTED_FILE_FAILURES, EXPECTED_FIXED_PASSES, EXPECTED_LEAKS, EXPECTED_LEAKY_PASSES, expectedPatterns } from './messaging/expected.mjs'

const repoRoot = fileURLToPath(new URL('..', import.meta.url))
const exampleRoot = path.join(repoRoot, 'examples', 'messaging')
const vitest = path.join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs')

function runProject(project, title) {
  console.log(`\n━━━ ${title} ━━━\n`)
  const outDir = mkdtempSync(path.join(tmpdir(), 'leakwatch-example-'))
  const jsonFile = path.join(outDir, 'report.json')
  const run = spawnSync(
    process.execPath,
    [vitest, 'run', '--root', exampleRoot, '--project', project, '--reporter=default', '--reporter=json', `--outputFile=${jsonFile}`],
    { cwd: exampleRoot, stdio: ['ignore', 'inherit', 'inherit'] },
  )
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

const { tests: leaky, files: leakyFiles } = runProject('leaky', 'The suite as the original team wrote it: each leak should fail the test that made it')
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

console.log('\n━━━ Summary ━━━\n')
if (problems.length > 0) {
  console.error(`The example did not go as expected:\n  - ${problems.join('\n  - ')}`)
  process.exit(1)
}
console.log(`leakwatch caught all ${Object.keys(EXPECTED_LEAKS).length} planted leaks, each in the test that made it and at the line`)
console.log(`that created it; the ${EXPECTED_LEAKY_PASSES.length} route tests that close their servers passed, and their file failed for`)
console.log(`the closed servers a mock kept reachable; all ${EXPECTED_FIXED_PASSES.length} fixed tests passed. (vitest exits 1 on the`)
console.log('leaky suite: that is the point.)')
