// Runs node:test itself on fixture files, as a user would (`node --test`, or `node file.test.mjs`), and returns what
// happened to each test, read from a JSON-lines reporter (fixtures/node-test/json-reporter.mjs): assertions are on
// the outcome (which test failed, with which message), not on logs.

import path from 'node:path'
import { runNode } from './run-node.mjs'
import { FIXTURES } from './run-vitest.mjs'

const REPORTER = path.join(FIXTURES, 'node-test', 'json-reporter.mjs')

/**
 * @param {string} cwd the folder the run starts in (file names are relative to it)
 * @param {string[]} files the test files
 * @param {{ importFlag?: boolean, direct?: boolean, args?: string[], env?: NodeJS.ProcessEnv, timeoutMs?: number,
 *   launcher?: string[] }} [options] `importFlag`: load leakwatch with `--import leakwatch/node-test`; `direct`: run
 *   the one file as `node file` (no `--test`); `args`: more of Node's arguments, before the files; `env`: the
 *   environment to start from (this process's by default); `launcher`: as for runNode
 * @returns {Promise<{ exitCode: number | null, killed: boolean, stderr: string,
 *   tests: Map<string, { type: string, error: { failureType: string, name: string, message: string } | null }>,
 *   events: object[] }>} tests by `file > name` (file relative to `cwd`; `file > (file)` for the file's own failure)
 */
export async function runNodeTest(cwd, files, options = {}) {
  const args = [
    ...(options.importFlag ? ['--import', 'leakwatch/node-test'] : []),
    ...(options.direct ? [] : ['--test']),
    `--test-reporter=${REPORTER}`,
    ...(options.args ?? []),
    ...files,
  ]
  // This process is itself a node:test child: the run must not think it is one too.
  const env = { ...(options.env ?? process.env), NO_COLOR: '1' }
  delete env.NODE_TEST_CONTEXT
  const { exitCode, stdout, stderr, killed } = await runNode(args, {
    cwd,
    env,
    timeoutMs: options.timeoutMs,
    launcher: options.launcher,
  })
  const events = stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line))
  const tests = new Map()
  for (const event of events) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue
    const file = event.file ? path.relative(cwd, event.file).split(path.sep).join('/') : '?'
    // A file's own failure (its root after() hook) is named by the file's path.
    const name = event.name === event.file ? '(file)' : event.name
    tests.set(`${file} > ${name}`, event)
  }
  return { exitCode, killed, stderr, tests, events }
}
