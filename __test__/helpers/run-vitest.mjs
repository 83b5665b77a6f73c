// Runs vitest itself on a fixture folder, as a user would, and returns what happened to each test.
//
// The fixtures are real suites: their tests open real servers, sockets, timers and processes. Each run goes through
// vitest's JSON reporter, so assertions are on the outcome (which test failed, with which message), not on logs.

import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { runNode } from './run-node.mjs'

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const FIXTURES = path.join(REPO_ROOT, '__test__', 'fixtures')
const VITEST = path.join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs')

/** Strips ANSI colours, so assertions read the text a person reads. */
export function plain(text) {
  return text.replace(/\u001b\[[0-9;]*m/g, '')
}

/**
 * @param {string} fixture folder name under __test__/fixtures
 * @param {{ args?: string[], env?: Record<string, string>, timeoutMs?: number }} [options]
 * @returns {Promise<{ exitCode: number | null, output: string, tests: Map<string, { status: string, message: string }>, report: any }>}
 */
export async function runVitest(fixture, options = {}) {
  const root = path.join(FIXTURES, fixture)
  const outDir = mkdtempSync(path.join(tmpdir(), 'leakwatch-fixture-'))
  const outputFile = path.join(outDir, 'report.json')
  const args = [
    VITEST,
    'run',
    '--root',
    root,
    '--reporter=json',
    `--outputFile=${outputFile}`,
    '--reporter=default',
    ...(options.args ?? []),
  ]
  const env = { ...process.env, ...options.env, CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1' }
  const { exitCode, output } = await runNode(args, { cwd: root, env, timeoutMs: options.timeoutMs })
  let report
  try {
    report = JSON.parse(readFileSync(outputFile, 'utf8'))
  } catch (error) {
    throw new Error(`vitest wrote no JSON report for ${fixture} (exit ${exitCode}): ${error.message}\n${plain(output)}`)
  } finally {
    rmSync(outDir, { recursive: true, force: true })
  }
  const tests = new Map()
  for (const file of report.testResults) {
    const fileName = path.relative(root, file.name)
    for (const test of file.assertionResults) {
      tests.set(`${fileName} > ${test.fullName}`, {
        status: test.status,
        message: plain((test.failureMessages ?? []).join('\n')),
        meta: test.meta,
      })
    }
  }
  return { exitCode, output: plain(output), tests, report }
}

/** The 1-based line of `marker` (a comment such as `// leak:tcp-server`) in a fixture file. */
export function lineOf(fixture, file, marker) {
  const lines = readFileSync(path.join(FIXTURES, fixture, file), 'utf8').split('\n')
  const index = lines.findIndex((line) => line.includes(marker))
  if (index < 0) throw new Error(`marker ${marker} not found in ${fixture}/${file}`)
  return index + 1
}

/**
 * Assertions on the outcome of one fixture's run, shared by the test files.
 * @param {string} fixture folder name under __test__/fixtures
 * @param {() => Awaited<ReturnType<typeof runVitest>>} getRun the run, once it happened
 */
export function fixtureAssertions(fixture, getRun) {
  function result(file, name) {
    const key = `${file} > ${name}`
    const found = getRun().tests.get(key)
    assert.ok(found, `no result for ${key}; have:\n${[...getRun().tests.keys()].join('\n')}`)
    return found
  }

  function assertPassed(file, name) {
    const { status, message } = result(file, name)
    assert.equal(status, 'passed', `${file} > ${name} should pass; it ${status}:\n${message}`)
  }

  /**
   * Asserts the test failed for a leak described as `description`, created at the line of `marker` in `file`;
   * `left` is what the heading says was left (`2 resources open`, `1 listener attached`).
   */
  function assertLeaked(
    file,
    name,
    { description, marker, count = 1, left = `${count} resource${count === 1 ? '' : 's'} open` },
  ) {
    const { status, message } = result(file, name)
    assert.equal(status, 'failed', `${file} > ${name} should fail; it ${status}`)
    assert.ok(message.includes(`LeakError: test "${name}" left ${left}`), `no "left ${left}" header in:\n${message}`)
    assert.ok(message.includes(description), `no "${description}" in:\n${message}`)
    const line = lineOf(fixture, file, marker)
    assert.match(message, new RegExp(`created at (?:\\S+ \\()?${file.replace(/\./g, '\\.')}:${line}:\\d+`), message)
    return message
  }

  /** The file-level result: its status, and its error (a LeakError of the file's own scope) in plain text. */
  function fileResult(file) {
    const root = path.join(FIXTURES, fixture)
    const found = getRun().report.testResults.find((entry) => path.relative(root, entry.name) === file)
    assert.ok(found, `no file result for ${file}`)
    return { status: found.status, message: plain(found.message ?? '') }
  }

  return { result, assertPassed, assertLeaked, fileResult }
}
