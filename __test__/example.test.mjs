// The README's first command keeps working: the messaging example (Fastify, Redis, WebSockets) has each planted leak
// caught in the test that made it, at its line (examples/messaging/expected.mjs), and every fixed test passing.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { EXPECTED_FILE_FAILURES, EXPECTED_LEAKS, lineOf } from '../examples/messaging/expected.mjs'
import { escapeHtml } from '../js/reporter/html/escape.js'
import { plain, REPO_ROOT } from './helpers/run-vitest.mjs'

const EXAMPLE_ROOT = path.join(REPO_ROOT, 'examples', 'messaging')

test('npm run example: every planted leak caught at its line, fixed tests pass', () => {
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'examples', 'run.mjs')], {
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
  })
  const output = plain(result.stdout + result.stderr)
  assert.equal(result.status, 0, output)
  assert.match(output, /leakwatch failed all 4 leaky tests/)
  assert.match(output, /LeakError: test "stop\(\) with app\.close\(\) mocked" left 4 resources open/)
  assert.match(output, /created at WsHub\.start \(src\/ws-hub\.ts:\d+:\d+\)/)
  assert.match(output, /created at installGracefulShutdown \(src\/main\.ts:\d+:\d+\)/)
  assert.match(output, /all 9 fixed tests passed/)
  assert.match(output, /their file failed for\s+the closed servers a mock kept reachable/)

  // leakwatch's reporter on the leaky run: its summary, and the JSON and HTML reports in examples/messaging.
  assert.match(output, / leakwatch {2}4 tests and 1 file failed by leaks/)
  assert.match(output, /created at src\/ws-hub\.ts:\d+:\d+ {2}Interval every 30000 ms/)
  const report = JSON.parse(readFileSync(path.join(EXAMPLE_ROOT, 'leakwatch-report.json'), 'utf8'))
  assert.equal(report.schema, 'leakwatch-report')
  assert.equal(report.version, 1)
  assert.equal(report.totals.testsFailedByLeaks, Object.keys(EXPECTED_LEAKS).length)
  assert.equal(report.totals.filesFailedByLeaks, Object.keys(EXPECTED_FILE_FAILURES).length)
  const records = new Map(
    report.files.flatMap((file) => file.tests.map((test) => [`${file.file} > ${test.name}`, test])),
  )
  for (const [name, { sites }] of Object.entries(EXPECTED_LEAKS)) {
    const record = records.get(name)
    assert.ok(record, `no record for ${name} in leakwatch-report.json`)
    assert.equal(record.state, 'fail', name)
    assert.equal(record.failedByLeaks, true, name)
    const recorded = record.leaks.filter((leak) => leak.site).map((leak) => `${leak.site.file}:${leak.site.line}`)
    for (const [file, text] of sites)
      assert.ok(recorded.includes(`${file}:${lineOf(file, text)}`), `${name}: ${recorded}`)
  }
  // The error path's Redis sockets: ioredis opens them in a process.nextTick callback, with no frame of the example's
  // code on the stack; each is reported at the line that made its client, the tick's scheduling followed back.
  const errorPath = records.get('test/leaky/error-path.test.ts > a failed send skips stop()')
  const sockets = errorPath.leaks.filter((leak) => leak.kind === 'TCP socket')
  assert.equal(sockets.length, 2, JSON.stringify(errorPath.leaks))
  const clientLine = lineOf('src/redis.ts', 'return new Redis(')
  for (const socket of sockets) {
    assert.equal(`${socket.site?.file}:${socket.site?.line}`, `src/redis.ts:${clientLine}`, JSON.stringify(socket))
    assert.equal(socket.cause, 'made by ioredis in a process.nextTick callback scheduled there')
  }
  const callers = sockets.map((socket) => `${socket.userFrames[0].file}:${socket.userFrames[0].line}`).sort()
  assert.deepEqual(callers, [
    `src/server.ts:${lineOf('src/server.ts', 'const store = createRedis(')}`,
    `src/server.ts:${lineOf('src/server.ts', 'const subscriber = createRedis(')}`,
  ])
  assert.match(
    output,
    new RegExp(
      `created at createRedis \\(src/redis\\.ts:${clientLine}:\\d+\\) \\(made by ioredis in a process\\.nextTick callback scheduled there\\)`,
    ),
  )

  const routes = report.files.find((file) => file.file === 'test/leaky/routes.test.ts')
  assert.equal(routes.leaks.length, 10)
  assert.ok(routes.leaks.every((leak) => leak.kind === 'Retained object'))
  // The HTML page beside it, with every leaky test in its leak table.
  const html = readFileSync(path.join(EXAMPLE_ROOT, 'leakwatch-report.html'), 'utf8')
  assert.match(html, /^<!doctype html>/i)
  for (const name of Object.keys(EXPECTED_LEAKS)) {
    const test = name.slice(name.indexOf(' > ') + 3)
    assert.ok(html.includes(escapeHtml(test)), `the HTML report does not name ${test}`)
  }
})

test('without redis-server on PATH, the example says how to install it and fails', () => {
  const bin = mkdtempSync(path.join(tmpdir(), 'leakwatch-nopath-'))
  try {
    symlinkSync(process.execPath, path.join(bin, 'node'))
    const vitest = path.join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs')
    const result = spawnSync(process.execPath, [vitest, 'run', '--project', 'fixed'], {
      cwd: path.join(REPO_ROOT, 'examples', 'messaging'),
      encoding: 'utf8',
      env: { ...process.env, PATH: bin, FORCE_COLOR: '0', NO_COLOR: '1' },
    })
    const output = plain(result.stdout + result.stderr)
    assert.notEqual(result.status, 0, output)
    assert.match(output, /The messaging example needs a real redis-server, and none is on PATH/)
    assert.match(output, /apt-get install redis-server/)
  } finally {
    rmSync(bin, { recursive: true, force: true })
  }
})
