// Where a stack frame points, read from real V8 stacks: paths and function names may hold parentheses; and from
// Windows-shaped ones, which this machine cannot make. Whose code a frame is: the user's, a library's, the runner's,
// Node's. And who asked for a timer, read from the stacks of real timers: the test, or Node for itself.

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
import { madeByRunner, timerMadeByNode } from '../js/core/made-by.js'
import { loadNative } from '../js/native.js'
import {
  classifiedFrames,
  frameLocation,
  frameOrigin,
  isOwnFrameLine,
  OWN_DIR,
  parseFrame,
  parseStack,
  pathOf,
} from '../js/core/stack-frames.js'

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

test('frames: named, anonymous, async and file: URL ones; eval frames point at the eval call; garbage is skipped', () => {
  const frames = parseStack(
    'Error\n    at new Timeout (node:internal/timers:186:17)\n    at setInterval (node:timers:210:20)\n' +
      '    at WsHub.start (/app/src/ws/hub.ts:41:22)\n    at async createServer (file:///app/src/my%20server.ts:12:3)\n' +
      '    at Object.<anonymous> (/app/node_modules/vitest/dist/x.js:1:1)',
  )
  assert.equal(frames.length, 5)
  assert.deepEqual(frames[0], {
    function: 'new Timeout',
    file: 'node:internal/timers',
    line: 186,
    column: 17,
    isAsync: false,
  })
  assert.equal(frames[3].isAsync, true)
  assert.equal(frames[3].file, '/app/src/my server.ts')
  assert.deepEqual(parseFrame('    at file:///t/a.test.js:3:9'), {
    function: null,
    file: '/t/a.test.js',
    line: 3,
    column: 9,
    isAsync: false,
  })
  const named = parseFrame('    at Foo.<computed> [as bar] (/a/b.js:1:2)')
  assert.equal(named.function, 'Foo.<computed> [as bar]')
  const evaluated = parseFrame('    at eval (eval at run (/a/c.js:5:6), <anonymous>:1:1)')
  assert.deepEqual([evaluated.file, evaluated.line, evaluated.column], ['/a/c.js', 5, 6])
  for (const garbage of [
    '',
    'at x:1:2',
    'Error: at f (/a.js:1:2)',
    '    at native',
    '    at f (a.js:x:1)',
    '    at f (:1:2)',
  ])
    assert.equal(parseFrame(garbage), undefined, garbage)
  assert.equal(parseFrame('    at f (/a/%E2%82.js:1:2)').file, '/a/%E2%82.js', 'an escape that is not UTF-8 stays')
})

test("Windows-shaped frames: one form of path, the user's, a library's and Node's told apart", () => {
  const runnerDirs = ['/node_modules/vitest/']
  const stack = [
    'Error',
    '    at Socket.connect (node:net:1:1)',
    '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
    '    at connect (file:///C:/app/node_modules/ioredis/built/x.js:1:1)',
    '    at f (C:\\app\\src\\a.ts:3:5)',
    '    at async g (file:///c:/app/src/my%20b.ts:7:2)',
    '    at runTest (C:\\app\\node_modules\\vitest\\dist\\runner.js:9:9)',
    '    at h (\\\\server\\share\\app\\c.js:4:4)',
  ].join('\n')
  const frames = classifiedFrames(stack, runnerDirs)
  assert.deepEqual(
    frames.map(({ file, origin }) => [file, origin]),
    [
      ['node:net', 'node'],
      ['node:internal/process/task_queues', 'node'],
      ['C:/app/node_modules/ioredis/built/x.js', 'dependency'],
      ['C:/app/src/a.ts', 'user'],
      ['C:/app/src/my b.ts', 'user'],
      ['C:/app/node_modules/vitest/dist/runner.js', 'runner'],
      ['//server/share/app/c.js', 'user'],
    ],
  )
  assert.deepEqual([frames[3].function, frames[3].line, frames[3].column], ['f', 3, 5])
  assert.equal(pathOf('C:\\app'), 'C:/app')
  assert.equal(pathOf('file:///C:/app/x.js'), 'C:/app/x.js', 'not /C:/app/x.js')
  assert.equal(pathOf('/app/a\\b.js'), '/app/a\\b.js', 'a POSIX name may hold a backslash')
  // What the runner made, told on Windows paths as on POSIX ones.
  assert.equal(madeByRunner('Error\n    at setTimeout (node:timers:1:1)\n' + stack.split('\n')[6], runnerDirs), true)
  assert.equal(madeByRunner(stack, runnerDirs), false)
})

test("leakwatch's own frames, in whatever form V8 wrote their path", () => {
  assert.ok(OWN_DIR.endsWith('/js/'), OWN_DIR)
  const own = `${OWN_DIR}core/leak-tracker.js`
  assert.equal(frameOrigin(own, []), 'leakwatch')
  assert.equal(isOwnFrameLine(`    at check (${pathToFileURL(own).href}:1:2)`), true)
  assert.equal(isOwnFrameLine(`    at check (${own}:1:2)`), true)
  assert.equal(isOwnFrameLine('    at test (/app/test/a.test.js:1:2)'), false)
})

test("a Windows stack through the native side: the site in the user's code, shown relative to the root", async () => {
  const native = await loadNative()
  const stack = [
    'Error',
    '    at Socket.connect (node:net:1:1)',
    '    at connect (file:///C:/app/node_modules/ioredis/built/x.js:1:1)',
    '    at f (C:\\app\\src\\a.ts:3:5)',
    '    at C:\\app\\test\\a.test.ts:9:1',
  ].join('\n')
  const input = {
    root: pathOf('C:\\app'),
    resources: [{ type: 'TCPWRAP', asyncId: 1, hasRef: true, frames: classifiedFrames(stack, []) }],
  }
  const [leak] = JSON.parse(native.analyzeOpenResources(JSON.stringify(input)))
  assert.equal(`${leak.site.file}:${leak.site.line}:${leak.site.column}`, 'src/a.ts:3:5')
  assert.equal(leak.site.function, 'f')
  assert.deepEqual(
    leak.userFrames.map((frame) => frame.file),
    ['test/a.test.ts'],
  )
  assert.equal(leak.madeInside.file, 'node_modules/ioredis/built/x.js')
  const text = native.renderLeakReport(JSON.stringify({ subject: 'test "t"', leaks: [leak] }))
  assert.match(text, /created at f \(src\/a\.ts:3:5\)/)
  assert.match(text, /made inside ioredis/)
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
