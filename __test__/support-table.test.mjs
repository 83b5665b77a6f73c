// The README's support table says what CI runs on each Node line and runner. It is made from .ci/matrix.json's legs
// (`node .ci/matrix.mjs table`), so a leg removed or added there must show here, and the package's declared ranges
// must cover every line and runner major the table names.

import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { REPO_ROOT } from './helpers/run-vitest.mjs'

const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8')
const matrix = JSON.parse(readFileSync(path.join(REPO_ROOT, '.ci', 'matrix.json'), 'utf8'))
const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'))

test("the README's support table is the one the CI matrix makes", () => {
  const table = execFileSync(process.execPath, [path.join(REPO_ROOT, '.ci', 'matrix.mjs'), 'table'], {
    encoding: 'utf8',
  }).trim()
  const start = readme.indexOf('<!-- support-table -->')
  const end = readme.indexOf('<!-- /support-table -->')
  assert.ok(start >= 0 && end > start, 'README.md has no <!-- support-table --> block')
  assert.ok(
    readme.slice(start, end).includes(table),
    `README.md's table differs from \`node .ci/matrix.mjs table\`:\n${table}`,
  )
})

test('engines names every Node line the matrix runs, and the peer ranges every vitest and jest major', () => {
  for (const line of Object.keys(matrix.runtimes)) {
    assert.match(
      manifest.engines.node,
      new RegExp(`(^|\\|\\|)\\s*[\\^>=]*${line}\\.`),
      `engines.node leaves out Node ${line}`,
    )
  }
  const vitestMajors = new Set(
    Object.values(matrix.stacks).map(
      (stack) => (stack.devDependencies.vitest ?? manifest.devDependencies.vitest).split('.')[0],
    ),
  )
  for (const major of vitestMajors)
    assert.match(manifest.peerDependencies.vitest, new RegExp(`\\^${major}\\.`), `vitest ${major}`)
  assert.match(manifest.peerDependencies.jest, new RegExp(`\\^${manifest.devDependencies.jest.split('.')[0]}\\.`))
})

test('the system Node that runs npm test is the line the matrix says', () => {
  const system = Object.keys(matrix.runtimes).find((line) => matrix.runtimes[line] === 'system')
  assert.ok(system, '.ci/matrix.json names no runtime "system"')
  // In the matrix's own legs the test runs on their Node: only the system leg is bound to the line.
  if (process.env.LEAKWATCH_MATRIX_LEG === undefined) assert.equal(process.versions.node.split('.')[0], system)
})
