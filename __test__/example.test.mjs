// The README's first command keeps working: the messaging example (Fastify, Redis, WebSockets) has each planted leak
// caught in the test that made it, at its line (examples/messaging/expected.mjs), and every fixed test passing.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { plain, REPO_ROOT } from './helpers/run-vitest.mjs'

test('npm run example: every planted leak caught at its line, fixed tests pass', () => {
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'examples', 'run.mjs')], {
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
  })
  const output = plain(result.stdout + result.stderr)
  assert.equal(result.status, 0, output)
  assert.match(output, /leakwatch caught all 4 planted leaks/)
  assert.match(output, /LeakError: test "stop\(\) with app\.close\(\) mocked" left 4 resources open/)
  assert.match(output, /created at WsHub\.start \(src\/ws-hub\.ts:\d+:\d+\)/)
  assert.match(output, /created at installGracefulShutdown \(src\/main\.ts:\d+:\d+\)/)
  assert.match(output, /all 9 fixed tests passed/)
  assert.match(output, /their file failed for\s+the closed servers a mock kept reachable/)
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
