// For each kind leakwatch reports, a vitest test that leaks it fails with the resource in words and the line that
// created it, and a clean twin passes. One vitest run covers every kind.

import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import { lineOf, runVitest } from './helpers/run-vitest.mjs'

const FIXTURE = 'kinds'

/** [file, leaky test, clean test, marker, description pattern, liveness words] */
const KINDS = [
  ['timers.test.js', 'leaky timeout', 'clean timeout', 'leak:timeout', /● Timeout after 60000 ms/],
  ['timers.test.js', 'leaky interval', 'clean interval', 'leak:interval', /● Interval every 30000 ms/],
  [
    'timers.test.js',
    'leaky immediate that keeps rescheduling itself',
    'clean immediate',
    'leak:immediate',
    /● Immediate/,
  ],
  [
    'net.test.js',
    'leaky TCP server',
    'clean TCP server',
    'leak:tcp-server',
    /● TCP server listening on 127\.0\.0\.1:\d+/,
  ],
  [
    'net.test.js',
    'leaky TCP client socket',
    'clean TCP client socket',
    'leak:tcp-socket',
    /● TCP socket 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+/,
  ],
  [
    'tls.test.js',
    'leaky TLS socket',
    'clean TLS socket',
    'leak:tls',
    /● TLS socket 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+/,
  ],
  [
    'pipe.test.js',
    'leaky pipe server',
    'clean pipe server',
    'leak:pipe-server',
    /● Pipe server listening on \/.*leaky\.sock/,
  ],
  ['pipe.test.js', 'leaky pipe client', 'clean pipe client', 'leak:pipe-client', /● Pipe to \/.*shared\.sock/],
  ['udp.test.js', 'leaky UDP socket', 'clean UDP socket', 'leak:udp', /● UDP socket bound to 127\.0\.0\.1:\d+/],
  [
    'child-process.test.js',
    'leaky child process',
    'clean child process',
    'leak:child',
    /● Child process pid \d+ \(sleep 30\)/,
  ],
  ['watchers.test.js', 'leaky fs watcher', 'clean fs watcher', 'leak:fs-watch', /● FS watcher/],
  ['watchers.test.js', 'leaky stat watcher', 'clean stat watcher', 'leak:stat-watch', /● Stat watcher/],
  ['workers.test.js', 'leaky worker', 'clean worker', 'leak:worker', /● Worker thread \d+/],
  ['workers.test.js', 'leaky message port', 'clean message port', 'leak:message-port', /● MessagePort/],
  [
    'file-handle.test.js',
    'leaky file handle',
    'clean file handle',
    'leak:file-handle',
    /● File handle fd \d+ \(.*file-handle\.test\.js\)  \(holds an open file descriptor\)/,
  ],
  [
    'signal.test.js',
    'leaky signal handler',
    'clean signal handler',
    'leak:signal',
    /● Signal handler.*\(unref'd: does not keep the process alive\)/,
  ],
]

describe('every reportable kind, leaky and clean', () => {
  let run
  before(async () => {
    run = await runVitest(FIXTURE)
  })

  test('vitest exits with failures, not a crash', () => {
    assert.equal(run.exitCode, 1, run.output)
    assert.doesNotMatch(run.output, /Segmentation fault|Worker exited unexpectedly|Unhandled Error/)
  })

  for (const [file, leaky, clean, marker, description] of KINDS) {
    test(`${file}: "${leaky}" fails, naming the resource and its line`, () => {
      const result = run.tests.get(`${file} > ${leaky}`)
      assert.ok(result, `no result for ${leaky}`)
      assert.equal(result.status, 'failed')
      assert.match(result.message, new RegExp(`^LeakError: test "${leaky}" left 1 resource open`))
      assert.match(result.message, description)
      const line = lineOf(FIXTURE, file, marker)
      assert.match(result.message, new RegExp(`created at (?:\\S+ \\()?${file.replace('.', '\\.')}:${line}:\\d+`))
      assert.match(result.message, new RegExp(`> ${line} \\|.*${marker}`), 'the code frame shows the line')
      assert.match(result.message, /Fix: close what was opened/)
    })

    test(`${file}: "${clean}" passes`, () => {
      const result = run.tests.get(`${file} > ${clean}`)
      assert.ok(result, `no result for ${clean}`)
      assert.equal(result.status, 'passed', result.message)
    })
  }

  test('TypeScript: the creation line is the line of the .ts source, with its caller below', () => {
    const result = run.tests.get('typescript.test.ts > leaky server started from a TypeScript helper')
    assert.equal(result?.status, 'failed')
    const line = lineOf(FIXTURE, 'typescript.test.ts', 'leak:ts-server')
    const callerLine = lineOf(FIXTURE, 'typescript.test.ts', 'leak:ts-caller')
    assert.match(result.message, new RegExp(`created at typescript\\.test\\.ts:${line}:\\d+`))
    assert.match(result.message, new RegExp(`> ${line} \\|.*leak:ts-server`))
    assert.match(
      result.message,
      new RegExp(`called from startServer|called from typescript\\.test\\.ts:${callerLine}:`),
    )
    assert.equal(run.tests.get('typescript.test.ts > clean server started from a TypeScript helper')?.status, 'passed')
  })

  test('leak records reach task.meta as JSON', () => {
    const meta = run.tests.get('net.test.js > leaky TCP server').meta.leakwatch
    assert.equal(meta.leaks.length, 1)
    assert.equal(meta.leaks[0].kind, 'TCP server')
    assert.equal(meta.leaks[0].site.file, 'net.test.js')
    assert.equal(meta.leaks[0].site.line, lineOf(FIXTURE, 'net.test.js', 'leak:tcp-server'))
    assert.equal(meta.handles['TCP server'], 1)
    const clean = run.tests.get('net.test.js > clean TCP server').meta.leakwatch
    assert.deepEqual(clean.leaks, [])
    assert.equal(clean.created['TCP server'], 1)
    assert.equal(clean.handles['TCP server'], undefined)
  })
})
