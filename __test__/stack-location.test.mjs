// Where a stack frame points, read from real V8 stacks: paths and function names may hold parentheses. And who asked
// for a timer, read from the stacks of real timers: the test, or Node for itself.

import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createHook } from 'node:async_hooks'
import http from 'node:http'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { pathToFileURL } from 'node:url'
import { captureStack, stackText } from '../js/core/creation-stack.js'
import { frameLocation, madeByRunner, timerMadeByNode } from '../js/core/open-entries.js'

async function stackFrom(fileName) {
  const dir = mkdtempSync(path.join(tmpdir(), 'leakwatch-stack-'))
  try {
    const file = path.join(dir, fileName)
    writeFileSync(
      file,
      'export function made() { return new Error().stack }\nexport const topLevel = new Error().stack\n',
    )
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

/** The creation stacks of the timers `fn` makes, as the async hook captures them. */
async function timerStacks(fn) {
  const stacks = []
  // As leakwatch's hook captures them: from below the hook.
  function init(asyncId, type) {
    if (type === 'Timeout') stacks.push(captureStack(init))
  }
  const hook = createHook({ init })
  hook.enable()
  try {
    await fn()
  } finally {
    hook.disable()
  }
  return stacks.map(stackText)
}

test("a timer the code asked for is its own; one Node made for itself (HTTP's Date cache, fetch's, AbortSignal.timeout's) is Node's", async () => {
  const [own] = await timerStacks(() => clearTimeout(setTimeout(() => {}, 1000)))
  assert.equal(timerMadeByNode(own), false, own)
  const [promised] = await timerStacks(() => sleep(1))
  assert.equal(timerMadeByNode(promised), false, promised)
  const [signalTimeout] = await timerStacks(() => AbortSignal.timeout(1))
  assert.equal(timerMadeByNode(signalTimeout), true, signalTimeout)

  const server = http.createServer((request, response) => response.end('ok'))
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const stacks = await timerStacks(async () => {
      const response = await fetch(`http://127.0.0.1:${server.address().port}/`, { headers: { connection: 'close' } })
      await response.text()
    })
    const dateCache = stacks.find((stack) => stack.includes('utcDate'))
    assert.ok(dateCache, stacks.join('\n\n'))
    // The user's request handler is on the stack; Node asked for the timer all the same.
    assert.match(dateCache, /stack-location\.test\.mjs/)
    assert.equal(timerMadeByNode(dateCache), true, dateCache)
    const undici = stacks.find((stack) => stack.includes('undici'))
    assert.ok(undici, stacks.join('\n\n'))
    assert.equal(timerMadeByNode(undici), true, undici)
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})
