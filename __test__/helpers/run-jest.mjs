// Runs jest itself on a fixture folder with its jest.config.cjs, as a user would, through the JSON reporter, and
// returns what happened to each test.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runNode } from './run-node.mjs'
import { FIXTURES, plain, REPO_ROOT } from './run-vitest.mjs'

const JEST = path.join(REPO_ROOT, 'node_modules', 'jest', 'bin', 'jest.js')

/**
 * @param {string} fixture folder under __test__/fixtures
 * @param {{ args?: string[], env?: Record<string, string>, config?: string }} [options] `config`: the config file in
 *   the fixture folder, jest.config.cjs by default
 * @returns {Promise<{ exitCode: number | null, output: string, tests: Map<string, { status: string, message: string }>, report: any }>}
 */
export async function runJest(fixture, options = {}) {
  const root = path.join(FIXTURES, fixture)
  const outDir = mkdtempSync(path.join(tmpdir(), 'leakwatch-jest-'))
  const outputFile = path.join(outDir, 'report.json')
  // --forceExit: the fixtures leak on purpose, and jest waits for what keeps its process alive.
  const args = [
    JEST,
    '--config',
    path.join(root, options.config ?? 'jest.config.cjs'),
    '--rootDir',
    root,
    '--ci',
    '--forceExit',
    '--json',
    `--outputFile=${outputFile}`,
    ...(options.args ?? []),
  ]
  const env = { ...process.env, ...options.env, CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1' }
  const { exitCode, output } = await runNode(args, { cwd: root, env, timeoutMs: 180_000 })
  let report
  try {
    report = JSON.parse(readFileSync(outputFile, 'utf8'))
  } catch (error) {
    throw new Error(`jest wrote no JSON report for ${fixture} (exit ${exitCode}): ${error.message}\n${plain(output)}`)
  } finally {
    rmSync(outDir, { recursive: true, force: true })
  }
  const tests = new Map()
  for (const file of report.testResults) {
    const fileName = path.relative(root, file.name)
    for (const result of file.assertionResults) {
      const name = [...result.ancestorTitles, result.title].join(' > ')
      tests.set(`${fileName} > ${name}`, { status: result.status, message: plain(result.failureMessages.join('\n')) })
    }
  }
  return { exitCode, output: plain(output), tests, report }
}
