// vitest's view of a run (TestModule, TestCase) to the report's file records. The figures come from what the
// setup file put on each task's meta (`task.meta.leakwatch`): per test in onTestFinished, per file in afterAll.

import { hostname } from 'node:os'
import path from 'node:path'

const TEST_STATE = { passed: 'pass', failed: 'fail', skipped: 'skip', pending: 'skip' }
const FILE_STATE = { passed: 'pass', failed: 'fail', skipped: 'skip', pending: 'skip', queued: 'skip' }

/** A path relative to the root, '/'-separated: the same file has the same name on every machine. */
export function relativePath(root, file) {
  const relative = path.relative(root, file)
  return (relative.startsWith('..') || path.isAbsolute(relative) ? file : relative).split(path.sep).join('/')
}

/** The test's name without its file: `describe > test`. */
function testName(testCase) {
  const names = [testCase.name]
  for (let parent = testCase.parent; parent && parent.type === 'suite'; parent = parent.parent) names.unshift(parent.name)
  return names.join(' > ')
}

function testRecord(testCase, index, fileAllowed) {
  const meta = testCase.meta()?.leakwatch
  const result = testCase.result()
  // A LeakError thrown inside the test (expectNoLeaks) fails it too, with no leaks left for the end-of-test check.
  const leakErrorThrown = result.state === 'failed' && (result.errors ?? []).some((error) => error?.name === 'LeakError')
  return {
    name: testName(testCase),
    index,
    state: TEST_STATE[result.state] ?? 'skip',
    failedByLeaks: result.state === 'failed' && (Boolean(meta?.failedByLeaks) || leakErrorThrown),
    warned: Boolean(meta?.warned),
    allowed: meta?.allowed ?? fileAllowed,
    durationMs: testCase.diagnostic()?.duration ?? null,
    created: meta?.created ?? {},
    handles: meta?.handles ?? {},
    listeners: meta?.listeners ?? {},
    heap: meta?.heap ?? null,
    leaks: meta?.leaks ?? [],
    warnings: meta?.warnings ?? [],
  }
}

/**
 * @param {import('vitest/node').TestModule} testModule
 * @param {string} root vitest's root: file paths are made relative to it
 */
export function fileRecord(testModule, root) {
  const meta = testModule.meta()?.leakwatchFile
  // No figures: leakwatch's setup file did not run in this file (not in setupFiles, or the file failed to load).
  const allowed = meta?.allowed ?? true
  return {
    file: relativePath(root, testModule.moduleId),
    project: testModule.project.name || null,
    pool: testModule.project.config.pool ?? null,
    workerId: meta?.workerId ?? null,
    state: FILE_STATE[testModule.state()] ?? 'skip',
    allowed,
    failedByLeaks: Boolean(meta?.failedByLeaks),
    warned: Boolean(meta?.warned),
    leaks: meta?.leaks ?? [],
    heap: meta?.heap ?? null,
    warnings: meta?.warnings ?? [],
    // What the file ran with: the suite's options are derived from these (report.js), in a run as in a merge.
    options: meta?.options ?? null,
    tests: [...testModule.children.allTests()].map((testCase, index) => testRecord(testCase, index, allowed)),
  }
}

/** The modules that ran tests without leakwatch's setup file: nothing in them was checked. */
export function uncheckedModules(testModules) {
  const ran = (testCase) => ['passed', 'failed'].includes(testCase.result().state)
  return testModules.filter((testModule) => testModule.meta()?.leakwatchFile === undefined && [...testModule.children.allTests()].some(ran))
}

/** Where this report comes from: when, which shard, which machine. */
export function reportSource(config, createdAt) {
  const shard = config.shard ? `${config.shard.index}/${config.shard.count}` : null
  return { createdAt, shard, hostname: hostname() }
}
