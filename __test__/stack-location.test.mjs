// Where a stack frame points, read from real V8 stacks: paths and function names may hold parentheses.

import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { pathToFileURL } from 'node:url'
import { frameLocation, madeByRunner } from '../js/core/open-entries.js'

async function stackFrom(fileName) {
  const dir = mkdtempSync(path.join(tmpdir(), 'leakwatch-stack-'))
  try {
    const file = path.join(dir, fileName)
    writeFileSync(file, 'export function made() { return new Error().stack }\nexport const topLevel = new Error().stack\n')
    const module = await import(pathToFileURL(file).href)
    return { file, inFunction: module.made(), topLevel: module.topLevel }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

test('a frame in a file whose path holds parentheses points at that file', async () => {
  const { file, inFunction, topLevel } = await stackFrom('pa(ren) (1).test.mjs')
  const line = inFunction.split('\n')[1]
  assert.match(line, /at (Module\.)?made \(/)
  assert.equal(frameLocation(line), `${pathToFileURL(file).href}:1:33`)
  assert.ok(frameLocation(topLevel.split('\n')[1]).includes('pa(ren)%20(1).test.mjs:2:'), topLevel)
  // Made in user code: not the runner's, whatever frames of the runner lie below.
  const withRunnerBelow = `${inFunction}\n    at runTest (/x/node_modules/vitest/dist/runner.js:1:1)`
  assert.equal(madeByRunner(withRunnerBelow, ['/node_modules/vitest/']), false)
})

test('function names with parentheses and frames without a function', () => {
  assert.equal(frameLocation('    at Foo.<computed> [as bar] (/a/b (c).js:1:2)'), '/a/b (c).js:1:2')
  assert.equal(frameLocation('    at async Promise.all (index 0)'), 'index 0')
  assert.equal(frameLocation('    at /a/b.js:3:4'), '/a/b.js:3:4')
  assert.equal(frameLocation('Error: boom'), undefined)
})
