// `npm run example`: runs the bundled example suite under leakwatch, shows its reports, and checks that every
// planted leak was caught in the test that made it and every fixed test passed. Exits 0 only then.

import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = fileURLToPath(new URL('..', import.meta.url))
const exampleRoot = path.join(repoRoot, 'examples', 'basic')
const vitest = path.join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs')

/** What leakwatch must find: test name → the resources its report must name, in words. */
const EXPECTED_LEAKS = {
  'stop() with a mocked close': [/TCP server listening on 127\.0\.0\.1:\d+/, /created at .*chat-server\.ts:19:/, /its close\(\) is a mock/],
  'an assertion fails before stop()': [/left 3 resources open/, /TCP server listening/, /Interval every 30000 ms/, /TCP socket 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+/],
}
const EXPECTED_PASSES = ['stop() with a spied, not mocked, close', 'cleanup in finally, even when an assertion fails']

const outDir = mkdtempSync(path.join(tmpdir(), 'leakwatch-example-'))
const jsonFile = path.join(outDir, 'report.json')
console.log('Running the example suite (examples/basic) under leakwatch: two leaky tests, two fixed ones.\n')
const run = spawnSync(process.execPath, [vitest, 'run', '--root', exampleRoot, '--reporter=default', '--reporter=json', `--outputFile=${jsonFile}`], {
  cwd: exampleRoot,
  stdio: ['ignore', 'inherit', 'inherit'],
})
let report
try {
  report = JSON.parse(readFileSync(jsonFile, 'utf8'))
} catch (error) {
  console.error(`\nThe example suite wrote no report (vitest exit ${run.status}): ${error.message}`)
  process.exit(1)
} finally {
  rmSync(outDir, { recursive: true, force: true })
}

const results = new Map(report.testResults.flatMap((file) => file.assertionResults.map((test) => [test.title, test])))
const problems = []
for (const [name, patterns] of Object.entries(EXPECTED_LEAKS)) {
  const result = results.get(name)
  const message = (result?.failureMessages ?? []).join('\n')
  if (result?.status !== 'failed' || !message.includes('LeakError')) problems.push(`"${name}" should have failed with a LeakError`)
  for (const pattern of patterns) if (!pattern.test(message)) problems.push(`"${name}": the report does not show ${pattern}`)
}
for (const name of EXPECTED_PASSES) {
  if (results.get(name)?.status !== 'passed') problems.push(`"${name}" should have passed`)
}

console.log('\n────────────────────────────────────────────────────────────')
if (problems.length > 0) {
  console.error(`The example did not go as expected:\n  - ${problems.join('\n  - ')}`)
  process.exit(1)
}
console.log('leakwatch caught every planted leak in the test that made it, with the line that created it,')
console.log('and the fixed tests passed. (vitest exits 1 above because the leaky tests fail: that is the point.)')
