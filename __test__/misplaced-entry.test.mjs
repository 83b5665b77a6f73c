// leakwatch's main entry where a runner's adapter belongs (vitest's `setupFiles: ['leakwatch']`, jest's
// `setupFilesAfterEnv: ['leakwatch']`) checks nothing: it says so once per process, naming the entry that checks every
// test. A test file or a helper that imports the main entry, with or without the adapter, is told nothing.
// vitest and jest themselves run __test__/fixtures/misplaced-entry with each config.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { JEST_WARNING, VITEST_WARNING } from '../js/misplaced-entry.js'
import { runJest } from './helpers/run-jest.mjs'
import { runVitest } from './helpers/run-vitest.mjs'

const FIXTURE = 'misplaced-entry'
/** The main entry is an ES module: jest loads it as a setup file, or from an ES module test file, only under this flag. */
const VM_MODULES = { NODE_OPTIONS: '--experimental-vm-modules' }

function count(text, part) {
  return text.split(part).length - 1
}

test("vitest, setupFiles: ['leakwatch']: one warning for the worker process's two files, naming leakwatch/vitest", async () => {
  const run = await runVitest(FIXTURE, { args: ['--config', 'setup.config.mjs'] })
  assert.equal(run.exitCode, 0, run.output)
  assert.equal(count(run.output, VITEST_WARNING), 1, run.output)
  assert.match(VITEST_WARNING, /list 'leakwatch\/vitest' instead \(setupFiles: \['leakwatch\/vitest'\]\)/)
  // What the warning is about: the server left listening fails nothing.
  assert.equal(run.tests.get('leaks.test.js > leaves a server listening')?.status, 'passed')
  assert.equal(run.tests.get('clean.test.js > a second file in the same worker process')?.status, 'passed')
})

test('vitest: a test file that imports the main entry, with leakwatch/vitest or with no setup file, gets no warning', async () => {
  for (const config of ['adapter.config.mjs', 'no-setup.config.mjs']) {
    const run = await runVitest(FIXTURE, { args: ['--config', config] })
    assert.equal(run.exitCode, 0, `${config}:\n${run.output}`)
    assert.equal(
      run.tests.get('imports-main.test.js > a server that closes cleanly passes the shutdown audit')?.status,
      'passed',
      config,
    )
    assert.doesNotMatch(run.output, /main entry/, config)
  }
})

test("jest, setupFilesAfterEnv: ['leakwatch']: one warning for the process's two files, naming leakwatch/jest", async () => {
  const run = await runJest(`${FIXTURE}/jest`, { config: 'setup.config.cjs', args: ['--runInBand'], env: VM_MODULES })
  assert.equal(run.exitCode, 0, run.output)
  assert.equal(count(run.output, JEST_WARNING), 1, run.output)
  assert.match(JEST_WARNING, /list 'leakwatch\/jest' instead \(setupFilesAfterEnv: \['leakwatch\/jest'\]\)/)
  assert.equal(run.tests.get('leaks.test.js > leaves a server listening')?.status, 'passed')
  assert.equal(run.tests.get('clean.test.js > a second file in the same process')?.status, 'passed')
})

test('jest: the main entry listed before leakwatch/jest, or imported by a test file or its helper, gets no warning', async () => {
  const both = await runJest(`${FIXTURE}/jest`, { config: 'both.config.cjs', args: ['--runInBand'], env: VM_MODULES })
  assert.equal(both.exitCode, 1, both.output)
  assert.match(
    both.tests.get('leaks.test.js > leaves a server listening')?.message ?? '',
    /LeakError: test "leaves a server listening" left 1 resource open/,
  )
  assert.doesNotMatch(both.output, /main entry/)
  const imports = await runJest(`${FIXTURE}/jest`, {
    config: 'imports.config.cjs',
    args: ['--runInBand'],
    env: VM_MODULES,
  })
  assert.equal(imports.exitCode, 0, imports.output)
  assert.equal(imports.tests.get('imports-main.test.mjs > the main entry imported by a test file')?.status, 'passed')
  assert.equal(
    imports.tests.get('helper-imports-main.test.mjs > through a helper > the main entry imported by a helper')?.status,
    'passed',
  )
  assert.doesNotMatch(imports.output, /main entry/)
})
