// vitest's view of a run (TestModule, TestCase) to the report's file records. The figures come from what the
// setup file put on each task's meta (`task.meta.leakwatch`): per test in onTestFinished, per file in afterAll.

import { hostname } from 'node:os'
import path from 'node:path'

// A test or file still pending (or queued) when the run ends never finished: its worker exited (a crash,
// process.abort(), a kill) or the run was cut short (--bail, Ctrl-C). It was not skipped, and nothing in it was
// checked to the end.
const TEST_STATE = { passed: 'pass', failed: 'fail', skipped: 'skip', pending: 'unfinished' }
const FILE_STATE = { passed: 'pass', failed: 'fail', skipped: 'skip', pending: 'unfinished', queued: 'unfinished' }

/** A scope's leaks as the report keeps them (see js/core/report-meta.js), from the meta the worker sent. */
function leakFields(meta) {
  return {
    leaks: meta?.leaks ?? [],
    leakCount: meta?.leakCount ?? 0,
    leaksByKind: meta?.leaksByKind ?? {},
    leakGroups: meta?.leakGroups ?? [],
    leakGroupCount: meta?.leakGroupCount ?? 0,
  }
}

/** A path relative to the root, '/'-separated: the same file has the same name on every machine. */
export function relativePath(root, file) {
  const relative = path.relative(root, file)
  return (relative.startsWith('..') || path.isAbsolute(relative) ? file : relative).split(path.sep).join('/')
}

/** The test's name without its file: `describe > test`. */
function testName(testCase) {
  const names = [testCase.name]
  for (let parent = testCase.parent; parent && parent.type === 'suite'; parent = parent.parent)
    names.unshift(parent.name)
  return names.join(' > ')
}

function testRecord(testCase, index, fileAllowed) {
  const meta = testCase.meta()?.leakwatch
  const result = testCase.result()
  // What leakwatch failed the test for counts only when vitest failed it: a `test.fails` test that leaked passes
  // (its leaks fail the file instead).
  const failureReasons = result.state === 'failed' ? (meta?.failureReasons ?? []) : []
  return {
    name: testName(testCase),
    index,
    state: TEST_STATE[result.state] ?? 'skip',
    failedByLeaks: failureReasons.length > 0,
    failureReasons,
    warned: Boolean(meta?.warned),
    allowed: meta?.allowed ?? fileAllowed,
    durationMs: testCase.diagnostic()?.duration ?? null,
    created: meta?.created ?? {},
    handles: meta?.handles ?? {},
    listeners: meta?.listeners ?? {},
    heap: meta?.heap ?? null,
    ...leakFields(meta),
    warnings: meta?.warnings ?? [],
  }
}

/**
 * @param {import('vitest/node').TestModule} testModule
 * @param {string} root vitest's root: file paths are made relative to it
 */
export function fileRecord(testModule, root) {
  const meta = testModule.meta()?.leakwatchFile
  // No figures: leakwatch's setup file did not run in this file (not in setupFiles, or the file failed to load), or
  // the file did not finish.
  const allowed = meta?.allowed ?? true
  const state = FILE_STATE[testModule.state()] ?? 'skip'
  const failureReasons = state === 'fail' ? (meta?.failureReasons ?? []) : []
  return {
    file: relativePath(root, testModule.moduleId),
    project: testModule.project.name || null,
    pool: testModule.project.config.pool ?? null,
    workerId: meta?.workerId ?? null,
    state,
    allowed,
    failedByLeaks: failureReasons.length > 0,
    failureReasons,
    warned: Boolean(meta?.warned),
    ...leakFields(meta),
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
  return testModules.filter(
    (testModule) => testModule.meta()?.leakwatchFile === undefined && [...testModule.children.allTests()].some(ran),
  )
}

/** Where this report comes from: when, which shard, which machine. */
export function reportSource(config, createdAt) {
  const shard = config.shard ? `${config.shard.index}/${config.shard.count}` : null
  return { createdAt, shard, hostname: hostname() }
}
